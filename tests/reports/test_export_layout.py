"""The exported files' layout: Agency column, reasons in staff wording, widths, autofilter, real dates,
and a file name that says what was exported."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from reports import exports
from tests.reports.conftest import fail, service_on, signed_in

pytestmark = pytest.mark.django_db


def test_file_name_says_report_agency_range_and_day():
    name = exports.export_filename(
        "cosd-service-error-report",
        "xlsx",
        on=dt.date(2026, 12, 1),
        agency="Harbor Behavioral Health",
        dos_from=dt.date(2026, 9, 1),
        dos_to=dt.date(2026, 9, 30),
    )
    assert (
        name == "cosd-service-error-report_harbor-behavioral-health_2026-09-01-to-2026-09-30_exported-2026-12-01.xlsx"
    )
    assert (
        exports.export_filename("services", "csv", on=dt.date(2026, 12, 1))
        == "services_all-agencies_all-dates_exported-2026-12-01.csv"
    )


@pytest.mark.parametrize(
    ("url_name", "headers"),
    [
        ("report-service-errors", ["Agency", "Failure reasons", "Failure reasons (staff wording)"]),
        ("service-list", ["Agency", "Failure reasons", "Failure reasons (staff wording)"]),
        ("report-diagnosis-errors", ["Agency", "Error type", "Error"]),
        ("report-program-coverage", ["Agency"]),
    ],
)
def test_every_report_file_has_agency_widths_autofilter_and_a_descriptive_name(
    county_user, program, run, url_name, headers
):
    fail(service_on(dt.date(2026, 9, 3), program=program), "NO_COVERAGE", "DX_NOT_SIGNED", run=run)
    response = signed_in(county_user).get(
        reverse(url_name), {"agency": program.agency_id, "export": "xlsx", "month": "2026-09"}
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "_north-clinic_" in disposition
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    for name in headers:
        assert name in header
    assert sheet.auto_filter.ref == sheet.dimensions
    for index, title in enumerate(header, start=1):
        width = sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width
        assert len(title) + 2 <= width <= exports.MAX_WIDTH + 2, (title, width)


def test_error_report_file_dates_are_dates_and_reasons_are_worded(county_user, program, run):
    fail(service_on(dt.date(2026, 9, 3), program=program), "NO_COVERAGE", run=run)
    response = signed_in(county_user).get(
        reverse("report-service-errors"), {"export": "xlsx", "dos_from": "2026-09-01", "dos_to": "2026-09-30"}
    )
    assert "_all-agencies_2026-09-01-to-2026-09-30_exported-" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith('attachment; filename="cosd-service-error-report_')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row = {title: cell for title, cell in zip(header, sheet[2], strict=True)}
    assert row["Date of service"].is_date
    assert row["Date of service"].value.date() == dt.date(2026, 9, 3)
    assert row["Correction due"].is_date
    assert row["Agency"].value == "North Clinic"
    assert row["Failure reasons"].value == "NO_COVERAGE"
    assert row["Failure reasons (staff wording)"].value == "No Coverage Plan Time Span Covers the Date of Service"
    # The reasons' column fits the staff wording.
    letter = row["Failure reasons (staff wording)"].column_letter
    assert sheet.column_dimensions[letter].width >= len(row["Failure reasons (staff wording)"].value)
