"""CSV and Excel files of report rows (pandas + openpyxl): the same rows the page and the API show.

A report's columns are declared once, as (row key, header); lists (failure reasons) become one cell
joined by "; ", booleans "yes"/"no", so the CSV and the sheet read the same. Dates stay dates: ISO
(YYYY-MM-DD) in the CSV, real date cells in the workbook. Every file has the Agency column, the failure
reasons as codes and, beside them, in staff wording; the sheet's columns fit their content and its header
row carries an autofilter; the file name says what was exported (`export_filename`).

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
from django.utils.text import slugify

from reports.filters import month_bounds

Columns = Sequence[tuple[str, str]]

# A file is built in memory (pandas); past this many rows the user narrows the filters first. Excel
# itself stops at 1,048,576 rows.
EXPORT_MAX_ROWS = 250_000
TOO_MANY_ROWS = "More than {limit:,} rows: narrow the filters (a date range, a program) and export again."

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

SERVICE_ERROR_COLUMNS: Columns = (
    ("service", "Service id"),
    ("agency", "Agency"),
    ("program_code", "Program"),
    ("client", "Client id"),
    ("client_name", "Client"),
    ("date_of_service", "Date of service"),
    ("procedure_code", "Procedure"),
    ("clinician_name", "Clinician"),
    ("failure_reasons", "Failure reasons"),
    ("failure_messages", "Failure reasons (staff wording)"),
    ("days_outstanding", "Days outstanding"),
    ("correction_due", "Correction due"),
    ("overdue", "Overdue"),
)

SERVICE_LIST_COLUMNS: Columns = (
    ("service", "Service id"),
    ("agency", "Agency"),
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
    ("failure_messages", "Failure reasons (staff wording)"),
)

DIAGNOSIS_ERROR_COLUMNS: Columns = (
    ("agency", "Agency"),
    ("program_code", "Program"),
    ("program_name", "Program name"),
    ("client", "Client id"),
    ("client_name", "Client"),
    ("error_type", "Error type"),
    ("error_message", "Error"),
    ("other_error_types", "Other diagnosis errors"),
    ("other_error_messages", "Other diagnosis errors (staff wording)"),
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


# Column widths in characters: never narrower than a date, never wider than a laptop screen's third.
MIN_WIDTH, MAX_WIDTH = 10, 60
DATE_WIDTH = 10  # 2026-12-01


def column_widths(data: pd.DataFrame) -> list[int]:
    """Each column as wide as its longest cell or header (counted over the frame, not cell by cell)."""
    widths = []
    for header in data.columns:
        values = data[header]
        if len(values) and values.map(lambda value: isinstance(value, dt.date)).all():
            longest = DATE_WIDTH
        else:
            longest = int(values.astype(str).str.len().max()) if len(values) else 0
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest, len(str(header))) + 2))
    return widths


def to_xlsx(rows: Iterable[Mapping[str, Any]], columns: Columns, *, sheet: str = "Report") -> bytes:
    buffer = io.BytesIO()
    data = frame(rows, columns)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        data.to_excel(writer, index=False, sheet_name=sheet[:31])
        worksheet = writer.sheets[sheet[:31]]
        _typed_cells(worksheet, data)
        for index, width in enumerate(column_widths(data), start=1):
            worksheet.column_dimensions[worksheet.cell(row=1, column=index).column_letter].width = width
        worksheet.freeze_panes = "A2"
        # Excel's filter buttons on the header row, over every row written.
        worksheet.auto_filter.ref = worksheet.dimensions
    return buffer.getvalue()


def filename(report: str, extension: str, *, on: dt.date) -> str:
    return f"{report}-{on.isoformat()}.{extension}"


def _slug(text: str) -> str:
    return slugify(text) or "none"


def export_filename(
    report: str,
    extension: str,
    *,
    on: dt.date,
    agency: str | None = None,
    dos_from: dt.date | None = None,
    dos_to: dt.date | None = None,
) -> str:
    """What was exported, in the file's name: report, agency, date-of-service range, day of export.

    e.g. `cosd-service-error-report_harbor-behavioral-health_2026-09-01-to-2026-09-30_exported-2026-12-01.xlsx`.
    Agency names are not PHI; client names and ids never go into a file name.
    """
    if dos_from or dos_to:
        period = f"{dos_from.isoformat() if dos_from else 'start'}-to-{dos_to.isoformat() if dos_to else 'today'}"
    else:
        period = "all-dates"
    parts = [_slug(report), _slug(agency) if agency else "all-agencies", period, f"exported-{on.isoformat()}"]
    return "_".join(parts) + f".{extension}"


# The reports' names as the exported files carry them (pages and API alike).
REPORT_FILE_NAMES = {
    "services": "services",
    "service-errors": "cosd-service-error-report",
    "diagnosis-errors": "services-diagnosis-error-report",
    "program-coverage": "program-coverage-report",
}


def report_export_name(*, user: Any, report: str, extension: str, on: dt.date, filters: Mapping[str, Any]) -> str:
    """A report's file name from its filters' cleaned values: the agency (a provider's own, or the one
    filtered on), the date-of-service range (or the month picked), the day of export."""
    agency = None
    if not user.sees_all_agencies and user.agency is not None:
        agency = user.agency.name
    elif filters.get("agency") is not None:
        agency = filters["agency"].name
    dos_from, dos_to = filters.get("dos_from"), filters.get("dos_to")
    if filters.get("month"):
        dos_from, dos_to = month_bounds(filters["month"])
    return export_filename(
        REPORT_FILE_NAMES.get(report, report), extension, on=on, agency=agency, dos_from=dos_from, dos_to=dos_to
    )


def file_response(
    rows: Iterable[Mapping[str, Any]],
    columns: Columns,
    *,
    report: str,
    extension: str,
    on: dt.date,
    name: str | None = None,
) -> HttpResponse:
    """An attachment response: `extension` is "csv" or "xlsx"; `name` the file name (export_filename)."""
    if extension == "xlsx":
        response = HttpResponse(to_xlsx(rows, columns, sheet=report), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(to_csv(rows, columns), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name or filename(report, extension, on=on)}"'
    return response
