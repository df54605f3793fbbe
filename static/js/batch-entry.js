// Batch entry grid: add a row, copy a row below itself (button or Ctrl+D), clear a row, Ctrl+Enter saves.
// A static file (no inline script): the pages run under a 'self'-only Content Security Policy.
(function () {
  "use strict";
  var grid = document.getElementById("batch-grid");
  if (!grid) { return; }
  var body = grid.tBodies[0];

  function renumber() {
    var rows = body.querySelectorAll("tr.batch-row");
    rows.forEach(function (row, index) { row.querySelector(".batch-number").textContent = String(index + 1); });
  }

  function copyValues(from, to) {
    var source = from.querySelectorAll("select, input");
    var target = to.querySelectorAll("select, input");
    source.forEach(function (field, index) { target[index].value = field.value; });
  }

  function insertAfter(row, copy) {
    var clone = row.cloneNode(true);
    clone.classList.remove("table-danger");
    if (copy) { copyValues(row, clone); } else { clearRow(clone); }
    var next = row.nextElementSibling;
    while (next && next.classList.contains("batch-errors")) { next = next.nextElementSibling; }
    body.insertBefore(clone, next);
    renumber();
    var first = clone.querySelector("select, input");
    if (first) { first.focus(); }
    return clone;
  }

  function clearRow(row) {
    row.querySelectorAll("select, input").forEach(function (field) {
      field.value = field.name === "note_signed" ? "N" : "";
    });
  }

  grid.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var row = button.closest("tr.batch-row");
    if (button.classList.contains("batch-copy")) { insertAfter(row, true); }
    if (button.classList.contains("batch-clear")) { clearRow(row); }
  });

  grid.addEventListener("keydown", function (event) {
    var row = event.target.closest("tr.batch-row");
    if (!row) { return; }
    if (event.ctrlKey && (event.key === "d" || event.key === "D")) {
      event.preventDefault();
      insertAfter(row, true);
    }
  });

  document.getElementById("batch-add").addEventListener("click", function () {
    var rows = body.querySelectorAll("tr.batch-row");
    insertAfter(rows[rows.length - 1], false);
  });

  document.getElementById("batch-form").addEventListener("keydown", function (event) {
    if (event.ctrlKey && event.key === "Enter") {
      event.preventDefault();
      document.getElementById("batch-save").click();
    }
  });
})();
