/* Billing Portal's few page behaviours. A static file: the Content-Security-Policy allows scripts from
   'self' only, so templates carry no inline script and no on* attributes; they mark elements with
   data-* attributes instead, handled here. */
(function () {
  "use strict";

  // A form came back with errors: the summary at the top takes the focus (and is read out: role=alert).
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  // Choosing an agency narrows the program list to that agency's programs (options carry data-agency).
  function narrowPrograms(agencySelect) {
    var target = document.getElementById(agencySelect.getAttribute("data-narrows"));
    if (!target) return;
    var agency = agencySelect.value;
    Array.prototype.forEach.call(target.options, function (option) {
      var owner = option.getAttribute("data-agency");
      var hide = Boolean(agency && owner && owner !== agency);
      option.hidden = hide;
      option.disabled = hide;
      if (hide && option.selected) target.value = "";
    });
  }

  function init() {
    focusErrorSummary();
    document.querySelectorAll("select[data-narrows]").forEach(narrowPrograms);
  }
  document.addEventListener("DOMContentLoaded", init);

  // Capture phase: runs before htmx (listening on the filter form) sends the changed filters.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-narrows]")) narrowPrograms(el);
    if (el.matches("[data-select-all]")) {
      document.querySelectorAll(el.getAttribute("data-select-all")).forEach(function (box) {
        box.checked = el.checked;
      });
    }
  }, true);

  // A search box inside a form (the ICD-10-CM search) searches on Enter; it never submits the form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-no-submit]")) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    // A link of the error summary puts the keyboard in the field it names.
    var link = event.target.closest("[data-focus-field]");
    if (link) {
      var field = document.getElementById(link.getAttribute("data-focus-field"));
      if (field) {
        event.preventDefault();
        field.focus();
        field.scrollIntoView({ block: "center" });
      }
    }
    // An ICD-10-CM search result adds its code to the diagnosis's codes, in billing order.
    var result = event.target.closest("[data-icd-code]");
    if (result) {
      var codes = document.getElementById(result.getAttribute("data-icd-target") || "id_codes");
      if (codes) {
        var code = result.getAttribute("data-icd-code");
        var current = codes.value.split(/[\s,;]+/).filter(Boolean);
        if (current.indexOf(code) === -1) current.push(code);
        codes.value = current.join(", ");
        codes.focus();
      }
    }
  });
})();
