"""Files the import pages hand out: templates with an example row, and the uploaded sheet given back
with an added Errors column. Both are written by `common.sheets` (the portal's one CSV/Excel
writer, which the report exports use too), so a cell that looks like a formula is escaped there like
in every export."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from common.sheets import to_csv, to_xlsx
from imports import client_rows, service_rows
from imports.models import Import
from imports.reading import FileProblem, read_sheet

MODULES = {Import.Kind.SERVICES: service_rows, Import.Kind.CLIENTS: client_rows}


def template_columns(kind: str) -> list[str]:
    return list(MODULES[kind].COLUMNS)  # type: ignore[index]


def template_file(kind: str, extension: str) -> bytes:
    """The header row and one example row (made up: no real person)."""
    module = MODULES[kind]  # type: ignore[index]
    columns = [(name, name) for name in module.COLUMNS]
    if extension == "xlsx":
        return to_xlsx([module.EXAMPLE], columns, sheet=kind)
    return to_csv([module.EXAMPLE], columns)


def errors_sheet(imp: Import, extension: str) -> bytes | None:
    """The uploaded rows with an Errors column ("column: message; ..."); None when the file itself
    could not be read (its problem is on the page)."""
    try:
        frame = read_sheet(bytes(imp.source), imp.file_name)
    except FileProblem:
        return None
    by_row: dict[int, list[str]] = defaultdict(list)
    for error in imp.errors:
        if error.get("row") is not None:
            by_row[int(error["row"])].append(f"{error['column']}: {error['message']}")
    rows: list[dict[str, Any]] = []
    for number, values in zip(frame.index, frame.to_dict("records"), strict=True):
        rows.append({**values, "__errors": "; ".join(by_row.get(int(number), []))})
    columns = [(name, name) for name in frame.columns] + [("__errors", "Errors")]
    if extension == "xlsx":
        return to_xlsx(rows, columns, sheet="Import")
    return to_csv(rows, columns)
