"""CSV and Excel files of report rows (pandas + openpyxl): the same rows the page and the API show.

A report's columns are declared once, as (row key, header); lists (failure reasons) become one cell
joined by "; ", booleans "yes"/"no", so the CSV and the sheet read the same.

No exported cell is ever a formula (spreadsheet formula injection, OWASP "CSV injection"): a client
named `=HYPERLINK("http://...")` must reach the county's Excel as that text. The rule lives in one
function, `escape_formula`, which every sheet the portal hands out goes through (these reports, and the
imports app's sheets handed back with an Errors column):

- Text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is "formula-like" (OWASP's list).
- CSV: a formula-like text cell gets a leading apostrophe (`'=HYPERLINK(...)`), OWASP's recommendation;
  Excel shows the apostrophe, which tells the reader the cell was neutralised.
- Excel: every text cell is written as a string cell (openpyxl turns a str beginning with "=" into a
  formula and "#N/A"-like text into an error cell; both are forced back to text), and a formula-like
  one also gets Excel's own "quote prefix" style, as if typed with an apostrophe, so editing the cell
  does not turn it into a formula either. The value stays the literal text, without an apostrophe.
- Only text is touched: numbers (a negative charge), dates and booleans stay what they are; a number
  that arrives as text (an id typed as "-5") is text and is escaped. Money (Decimal) is a number cell
  with two decimals in Excel (pandas alone would write it as text) and "386.00" in CSV.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd
from django.http import HttpResponse

Columns = Sequence[tuple[str, str]]

# A file is built in memory (pandas); past this many rows the user narrows the filters first. Excel
# itself stops at 1,048,576 rows.
EXPORT_MAX_ROWS = 250_000
TOO_MANY_ROWS = "More than {limit:,} rows: narrow the filters (a date range, a program) and export again."

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

SERVICE_ERROR_COLUMNS: Columns = (
    ("service", "Service id"),
    ("program_code", "Program"),
    ("client", "Client id"),
    ("client_name", "Client"),
    ("date_of_service", "Date of service"),
    ("procedure_code", "Procedure"),
    ("clinician_name", "Clinician"),
    ("failure_reasons", "Failure reasons"),
    ("days_outstanding", "Days outstanding"),
    ("correction_due", "Correction due"),
    ("overdue", "Overdue"),
)

SERVICE_LIST_COLUMNS: Columns = (
    ("service", "Service id"),
    ("client", "Client id"),
    ("client_name", "Client"),
    ("date_of_service", "Date of service"),
    ("units", "Units"),
    ("charge", "Charge"),
    ("rate", "Rate"),
    ("procedure_code", "Procedure"),
    ("status", "Status"),
    ("clinician_name", "Clinician"),
    ("program_code", "Program"),
    ("location", "Location"),
    ("failure_reasons", "Failure reasons"),
)

DIAGNOSIS_ERROR_COLUMNS: Columns = (
    ("program_code", "Program"),
    ("program_name", "Program name"),
    ("client", "Client id"),
    ("client_name", "Client"),
    ("error_type", "Error type"),
    ("error_message", "Error"),
    ("other_error_types", "Other diagnosis errors"),
    ("services", "Services"),
    ("first_problem_service_date", "First problem service date"),
    ("first_diagnosis_effective_date", "First diagnosis effective date"),
)

PROGRAM_COVERAGE_COLUMNS: Columns = (
    ("agency", "Agency"),
    ("program_code", "Program"),
    ("client", "Client id"),
    ("client_name", "Client"),
    ("enrolled_date", "Enrolled"),
    *[
        column
        for index in range(1, 5)
        for column in ((f"payer_{index}", f"Payer {index}"), (f"insured_id_{index}", f"Insured id {index}"))
    ],
    ("no_coverage", "No coverage"),
    ("missing_cin", "Missing CIN"),
    ("not_subscriber", "Not Subscriber (Medi-Cal)"),
)


# OWASP's list: what makes Excel, LibreOffice or Sheets read a cell as a formula (or a DDE call).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def escape_formula(value: Any) -> Any:
    """A cell value as it may go into a plain-text sheet (CSV): formula-like text gets a leading
    apostrophe (OWASP); anything else, numbers and dates included, is returned unchanged.

    Excel files keep the literal text instead and mark the cell as text (`to_xlsx`, `_typed_cells`)."""
    return f"'{value}" if is_formula_like(value) else value


def _typed_cells(worksheet: Any, data: pd.DataFrame, *, first_row: int = 2) -> None:
    """After pandas wrote the sheet: every text cell is a string cell (never a formula or an error
    value), and money (Decimal, which pandas writes as text) is a number with two decimals."""
    for index, column in enumerate(data.columns, start=1):
        if data[column].dtype != object:  # ints, floats, datetimes: pandas wrote them as such
            continue
        cells = worksheet.iter_rows(min_row=first_row, min_col=index, max_col=index)
        for (cell,), value in zip(cells, data[column], strict=True):
            if isinstance(value, Decimal):
                cell.value = float(value)  # Excel keeps numbers as doubles anyway
                cell.number_format = "0.00"
            elif isinstance(value, str):
                cell.data_type = "s"
                if is_formula_like(value):
                    cell.quotePrefix = True


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    return value


def frame(rows: Iterable[Mapping[str, Any]], columns: Columns) -> pd.DataFrame:
    keys = [key for key, _ in columns]
    data = [[_cell(row.get(key)) for key in keys] for row in rows]
    return pd.DataFrame(data, columns=[header for _, header in columns])


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Columns) -> bytes:
    return frame(rows, columns).map(escape_formula).to_csv(index=False).encode("utf-8")


def to_xlsx(rows: Iterable[Mapping[str, Any]], columns: Columns, *, sheet: str = "Report") -> bytes:
    buffer = io.BytesIO()
    data = frame(rows, columns)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        data.to_excel(writer, index=False, sheet_name=sheet[:31])
        worksheet = writer.sheets[sheet[:31]]
        _typed_cells(worksheet, data)
        for index, (_, header) in enumerate(columns, start=1):
            # Wide enough for the header and a date; the county reads these on a laptop.
            worksheet.column_dimensions[worksheet.cell(row=1, column=index).column_letter].width = max(
                12, len(header) + 2
            )
        worksheet.freeze_panes = "A2"
    return buffer.getvalue()


def filename(report: str, extension: str, *, on: dt.date) -> str:
    return f"{report}-{on.isoformat()}.{extension}"


def file_response(
    rows: Iterable[Mapping[str, Any]], columns: Columns, *, report: str, extension: str, on: dt.date
) -> HttpResponse:
    """An attachment response: `extension` is "csv" or "xlsx"."""
    if extension == "xlsx":
        response = HttpResponse(to_xlsx(rows, columns, sheet=report), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(to_csv(rows, columns), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(report, extension, on=on)}"'
    return response
