"""Services Diagnosis Error report and Program Coverage Report: rows, scope, flags, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from accounts.models import AccessLog
from clients.models import Enrollment
from coverage.models import Payer
from tests import factories
from tests.reports.conftest import fail, service_on, signed_in

pytestmark = pytest.mark.django_db


# ---- Services Diagnosis Error report -----------------------------------------------------------


@pytest.fixture
def dx_problems(program, other_program, run):
    client = factories.ClientFactory()
    factories.DiagnosisDocumentFactory(client=client, program=program, effective_date=dt.date(2026, 9, 15))
    factories.DiagnosisDocumentFactory(client=client, program=program, effective_date=dt.date(2026, 10, 1))
    early = fail(service_on(dt.date(2026, 9, 3), program=program, client=client), "DX_EFFECTIVE_AFTER_DOS", run=run)
    later = fail(service_on(dt.date(2026, 10, 8), program=program, client=client), "DX_NOT_SIGNED", run=run)
    none_on_file = fail(service_on(dt.date(2026, 10, 1), program=program), "DX_NONE_IN_PROGRAM", run=run)
    # Not diagnosis problems, or not this agency's.
    fail(service_on(dt.date(2026, 8, 1), program=program), "NO_COVERAGE", run=run)
    south = fail(service_on(dt.date(2026, 8, 2), program=other_program), "DX_NOT_SIGNED", run=run)
    return {"client": client, "early": early, "later": later, "none": none_on_file, "south": south}


def test_diagnosis_report_one_row_per_client_and_program(provider, program, dx_problems):
    response = signed_in(provider).get(reverse("report-diagnosis-errors"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row["client"], row["error_type"]) for row in rows] == [
        (dx_problems["client"].pk, "DX_EFFECTIVE_AFTER_DOS"),
        (dx_problems["none"].client_id, "DX_NONE_IN_PROGRAM"),
    ]
    first = rows[0]
    assert first["program"] == program.pk
    assert first["services"] == 2
    assert first["other_error_types"] == ["DX_NOT_SIGNED"]
    assert first["first_problem_service_date"] == dt.date(2026, 9, 3)
    assert first["first_diagnosis_effective_date"] == dt.date(2026, 9, 15)
    assert rows[1]["first_diagnosis_effective_date"] is None
    html = response.content.decode()
    assert "none on file" in html
    assert "<title>Services Diagnosis Error Report · Billing Portal</title>" in html
    assert dx_problems["south"].client.last_name not in html


def test_diagnosis_report_filters_by_error_type(county_user, dx_problems):
    response = signed_in(county_user).get(reverse("report-diagnosis-errors"), {"error_type": "DX_NOT_SIGNED"})
    assert sorted(row["client"] for row in response.context["rows"]) == sorted(
        [dx_problems["client"].pk, dx_problems["south"].client_id]
    )


def test_diagnosis_report_csv_export(county_user, dx_problems):
    response = signed_in(county_user).get(reverse("report-diagnosis-errors"), {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["Client id"] for row in rows] == [
        str(dx_problems["south"].client_id),
        str(dx_problems["client"].pk),
        str(dx_problems["none"].client_id),
    ]
    assert rows[1]["First diagnosis effective date"] == "2026-09-15"
    assert rows[2]["First diagnosis effective date"] == ""
    assert AccessLog.objects.get().target == "report:diagnosis-errors"


@pytest.mark.parametrize("extra", [0, 4])
def test_diagnosis_report_query_count_is_fixed(django_assert_num_queries, county_user, program, run, extra):
    for day in range(1 + extra):
        fail(service_on(dt.date(2026, 8, 1 + day), program=program), "DX_NOT_SIGNED", run=run)
    client = signed_in(county_user)
    # session + user; rules; access log; count; rows; the form's programs and agencies; session save (3)
    with django_assert_num_queries(11):
        client.get(reverse("report-diagnosis-errors"))


# ---- Program Coverage Report -------------------------------------------------------------------


@pytest.fixture
def enrollments(program, other_program):
    medi_cal = factories.PayerFactory(name="Medi-Cal", payer_type=Payer.PayerType.MEDI_CAL)
    medicare = factories.PayerFactory(name="Medicare", payer_type=Payer.PayerType.MEDICARE)
    county = factories.PayerFactory(name="County", payer_type=Payer.PayerType.COUNTY)
    ohc = factories.PayerFactory(name="Blue Shield", payer_type=Payer.PayerType.OHC)
    mcp = factories.PayerFactory(name="Health Plan", payer_type=Payer.PayerType.MCP)

    covered = factories.ClientFactory(last_name="Adams")
    factories.EnrollmentFactory(client=covered, program=program)
    for priority, payer in enumerate([medicare, county, ohc, mcp, medi_cal], start=1):
        factories.CoverageFactory(client=covered, payer=payer, priority=priority, insured_id=f"ID{priority}")
    # An ended plan is not current.
    factories.CoverageFactory(
        client=covered, payer=medi_cal, priority=9, start_date=dt.date(2020, 1, 1), end_date=dt.date(2021, 1, 1)
    )

    uncovered = factories.ClientFactory(last_name="Baker")
    factories.EnrollmentFactory(client=uncovered, program=program)

    flagged = factories.ClientFactory(last_name="Cruz")
    factories.EnrollmentFactory(client=flagged, program=program)
    factories.CoverageFactory(client=flagged, payer=medi_cal, priority=1, insured_id="", subscriber_is_client=False)

    discharged = factories.ClientFactory(last_name="Diaz")
    factories.EnrollmentFactory(
        client=discharged,
        program=program,
        status=Enrollment.Status.DISCHARGED,
        discharged_date=dt.date(2025, 1, 1),
    )
    south = factories.ClientFactory(last_name="Evans")
    factories.EnrollmentFactory(client=south, program=other_program)
    return {"covered": covered, "uncovered": uncovered, "flagged": flagged, "discharged": discharged, "south": south}


def coverage_page(user, **params):
    with time_machine.travel(dt.datetime(2026, 11, 21, 20, tzinfo=dt.UTC), tick=False):
        return signed_in(user).get(reverse("report-program-coverage"), params)


def test_coverage_report_lists_open_enrollments_with_first_four_current_payers(provider, enrollments):
    response = coverage_page(provider)
    rows = [row["record"] for row in response.context["rows"]]
    assert [row["client"] for row in rows] == [
        enrollments["covered"].pk,
        enrollments["uncovered"].pk,
        enrollments["flagged"].pk,
    ]
    covered, uncovered, flagged = rows
    assert [covered[f"payer_{n}"] for n in range(1, 5)] == ["Medicare", "County", "Blue Shield", "Health Plan"]
    assert [covered[f"insured_id_{n}"] for n in range(1, 5)] == ["ID1", "ID2", "ID3", "ID4"]
    assert (covered["no_coverage"], covered["missing_cin"], covered["not_subscriber"]) == (False, False, False)
    assert (uncovered["no_coverage"], uncovered["missing_cin"], uncovered["not_subscriber"]) == (True, False, False)
    assert (flagged["no_coverage"], flagged["missing_cin"], flagged["not_subscriber"]) == (False, True, True)
    html = response.content.decode()
    assert html.count('class="table-warning flagged"') == 2
    assert "Not Subscriber" in html
    assert enrollments["south"].last_name not in html


def test_coverage_report_flagged_filter(county_user, enrollments):
    response = coverage_page(county_user, flagged="on")
    assert [row["record"]["client"] for row in response.context["rows"]] == [
        enrollments["uncovered"].pk,
        enrollments["flagged"].pk,
        enrollments["south"].pk,
    ]


def test_coverage_report_xlsx_export(provider, enrollments):
    with time_machine.travel(dt.datetime(2026, 11, 21, 20, tzinfo=dt.UTC), tick=False):
        response = signed_in(provider).get(reverse("report-program-coverage"), {"export": "xlsx"})
    header, *rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert [row[header.index("Client id")] for row in rows] == [
        enrollments["covered"].pk,
        enrollments["uncovered"].pk,
        enrollments["flagged"].pk,
    ]
    assert rows[0][header.index("Payer 4")] == "Health Plan"
    assert rows[2][header.index("Not Subscriber (Medi-Cal)")] == "yes"
    assert rows[1][header.index("No coverage")] == "yes"
    log = AccessLog.objects.get()
    assert (log.action, log.target, log.filters) == ("export_report", "report:program-coverage", {"format": "xlsx"})


@pytest.mark.parametrize("extra", [0, 3])
def test_coverage_report_query_count_is_fixed(django_assert_num_queries, county_user, program, extra):
    for _ in range(1 + extra):
        client = factories.ClientFactory()
        factories.EnrollmentFactory(client=client, program=program)
        factories.CoverageFactory(client=client)
    client = signed_in(county_user)
    # session + user; access log; count; rows (payers and flags as subqueries); the form's programs and
    # agencies; session save (3)
    with django_assert_num_queries(10):
        client.get(reverse("report-program-coverage"))
