"""CSV and Excel files of report rows (pandas + openpyxl): the same rows the page and the API show.

A report's columns are declared once, as (row key, header); lists (failure reasons) become one cell
joined by "; ", booleans "yes"/"no", so the CSV and the sheet read the same. Dates stay dates: ISO
(YYYY-MM-DD) in the CSV, real date cells in the workbook. Every file has the Agency column, the failure
reasons as codes and, beside them, in staff wording; the sheet's columns fit their content and its header
row carries an autofilter; the file name says what was exported (`export_filename`).

No exported cell is ever a formula (spreadsheet formula injection): the rule, which characters count
and how CSV and Excel cells are written, lives once in `common.sheets` (`escape_formula` and the
typed-cell pass of `to_xlsx`), which every sheet the portal hands out goes through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify

# The sheet writing and its formula escaping live in `common.sheets` (the imports app, below this
# layer, writes its sheets with them too); re-exported here for the reports' callers.
from common.sheets import CSV_TYPE as CSV_TYPE
from common.sheets import MAX_WIDTH as MAX_WIDTH
from common.sheets import XLSX_TYPE as XLSX_TYPE
from common.sheets import Columns as Columns
from common.sheets import column_widths as column_widths
from common.sheets import escape_formula as escape_formula
from common.sheets import frame as frame
from common.sheets import is_formula_like as is_formula_like
from common.sheets import to_csv as to_csv
from common.sheets import to_xlsx as to_xlsx
from reports.filters import month_bounds

# A file is built in memory (pandas); past this many rows the user narrows the filters first. Excel
# itself stops at 1,048,576 rows.
EXPORT_MAX_ROWS = 250_000
TOO_MANY_ROWS = "More than {limit:,} rows: narrow the filters (a date range, a program) and export again."


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
