"""COSD Service Error Report: rows, order, scope, due dates, overdue rows, exports, access log."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from accounts.models import AccessLog
from services.models import Service
from tests import factories
from tests.reports.conftest import fail, service_on, signed_in

pytestmark = pytest.mark.django_db

API = "/api/reports/service-errors/"


def frozen(day: dt.date):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(settings.TIME_ZONE)), tick=False
    )


@pytest.fixture
def queue(program, other_program, run):
    """Two failing services of the North agency (newer one first made), one of South, one passing, one in Error."""
    newer = fail(service_on(dt.date(2026, 10, 20), program=program), "NOTE_NOT_SIGNED", run=run)
    older = fail(service_on(dt.date(2026, 9, 3), program=program), "NO_COVERAGE", "FINANCIAL_INFO_INCOMPLETE", run=run)
    south = fail(service_on(dt.date(2026, 8, 1), program=other_program), "NO_COVERAGE", run=run)
    service_on(dt.date(2026, 8, 2), program=program)
    fail(service_on(dt.date(2026, 7, 1), program=program, status=Service.Status.ERROR), "NO_COVERAGE", run=run)
    return {"newer": newer, "older": older, "south": south}


def test_api_lists_own_agency_failing_services_oldest_first_with_contract_fields(api_client, provider, queue):
    api_client.force_authenticate(provider)
    with frozen(dt.date(2026, 11, 21)):
        body = api_client.get(API).json()
    assert body["count"] == 2
    first, second = body["results"]
    assert [first["service"], second["service"]] == [queue["older"].pk, queue["newer"].pk]
    older = queue["older"]
    assert first == {
        "service": older.pk,
        "program": older.program_id,
        "program_code": "NMH",
        "client": older.client_id,
        "client_name": f"{older.client.last_name}, {older.client.first_name}",
        "date_of_service": "2026-09-03",
        "procedure_code": older.procedure.display_code,
        "clinician_name": f"{older.clinician.last_name}, {older.clinician.first_name}",
        # Catalogue order, not insertion order.
        "failure_reasons": ["FINANCIAL_INFO_INCOMPLETE", "NO_COVERAGE"],
        "days_outstanding": 79,
        "correction_due": "2026-10-30",
        "overdue": True,
    }
    assert second["failure_reasons"] == ["NOTE_NOT_SIGNED"]
    assert second["correction_due"] == "2026-11-30"
    assert second["overdue"] is False


def test_api_county_sees_every_agency(api_client, county_user, queue):
    api_client.force_authenticate(county_user)
    body = api_client.get(API).json()
    assert [row["service"] for row in body["results"]] == [
        queue["south"].pk,
        queue["older"].pk,
        queue["newer"].pk,
    ]


def test_api_other_agency_provider_sees_only_its_own(api_client, other_provider, queue):
    api_client.force_authenticate(other_provider)
    body = api_client.get(API).json()
    assert [row["service"] for row in body["results"]] == [queue["south"].pk]


def test_api_requires_authentication(api_client, queue):
    assert api_client.get(API).status_code in (401, 403)


@pytest.mark.parametrize(
    ("dos", "due"),
    [
        # The memo's phases, as seeded: a single month, a two-month range at both ends.
        (dt.date(2024, 9, 15), dt.date(2025, 2, 14)),
        (dt.date(2024, 10, 1), dt.date(2025, 3, 14)),
        (dt.date(2024, 11, 30), dt.date(2025, 3, 14)),
        (dt.date(2024, 12, 31), dt.date(2025, 4, 11)),
        (dt.date(2025, 1, 2), dt.date(2025, 4, 11)),
        # Outside every phase: end of the month of service + CORRECTION_DAYS_AFTER_MONTH (30).
        (dt.date(2024, 8, 31), dt.date(2024, 9, 30)),
        (dt.date(2025, 2, 1), dt.date(2025, 3, 30)),
        (dt.date(2024, 2, 10), dt.date(2024, 3, 30)),
    ],
)
def test_correction_due_uses_the_deadline_table_else_month_end_plus_days(api_client, county_user, run, dos, due):
    fail(service_on(dos), "NO_COVERAGE", run=run)
    api_client.force_authenticate(county_user)
    (row,) = api_client.get(API).json()["results"]
    assert row["correction_due"] == due.isoformat()


def test_correction_due_default_follows_the_setting(api_client, county_user, run, settings):
    settings.CORRECTION_DAYS_AFTER_MONTH = 10
    fail(service_on(dt.date(2026, 2, 5)), "NO_COVERAGE", run=run)
    api_client.force_authenticate(county_user)
    (row,) = api_client.get(API).json()["results"]
    assert row["correction_due"] == "2026-03-10"


@pytest.mark.parametrize(
    ("today", "overdue", "days"),
    [(dt.date(2025, 3, 14), False, 164), (dt.date(2025, 3, 15), True, 165)],
)
def test_overdue_only_after_the_due_date(api_client, county_user, run, today, overdue, days):
    fail(service_on(dt.date(2024, 10, 1)), "NO_COVERAGE", run=run)  # Phase 4: due 2025-03-14
    api_client.force_authenticate(county_user)
    with frozen(today):
        (row,) = api_client.get(API).json()["results"]
    assert row["overdue"] is overdue
    assert row["days_outstanding"] == days


def test_api_filters_like_the_services_list(api_client, county_user, program, queue):
    api_client.force_authenticate(county_user)
    by_reason = api_client.get(API, {"failure_reason": "NOTE_NOT_SIGNED"}).json()
    assert [row["service"] for row in by_reason["results"]] == [queue["newer"].pk]
    by_program = api_client.get(API, {"program": program.pk, "dos_from": "2026-10-01"}).json()
    assert [row["service"] for row in by_program["results"]] == [queue["newer"].pk]
    by_client = api_client.get(API, {"client": queue["south"].client_id}).json()
    assert [row["service"] for row in by_client["results"]] == [queue["south"].pk]


@pytest.mark.parametrize(("param", "value"), [("dos_from", "yesterday"), ("failure_reason", "NOT_A_RULE")])
def test_api_bad_filter_answers_400_naming_the_field(api_client, county_user, queue, param, value):
    api_client.force_authenticate(county_user)
    response = api_client.get(API, {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_api_bad_filter_with_csv_format_still_answers_json_400(api_client, county_user, queue):
    api_client.force_authenticate(county_user)
    response = api_client.get(API, {"format": "csv", "dos_to": "31/12/2026"})
    assert response.status_code == 400
    assert "dos_to" in response.json()


def test_api_provider_cannot_filter_by_another_agencys_program(api_client, provider, other_program, queue):
    api_client.force_authenticate(provider)
    response = api_client.get(API, {"program": other_program.pk})
    assert response.status_code == 400
    assert "program" in response.json()


def test_api_paginates_like_the_other_lists(api_client, county_user, queue):
    api_client.force_authenticate(county_user)
    body = api_client.get(API, {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None
    assert body["previous"] is None


def test_api_csv_is_the_same_rows_as_a_file(api_client, provider, queue):
    api_client.force_authenticate(provider)
    with frozen(dt.date(2026, 11, 21)):
        response = api_client.get(API, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    # The file says what was exported, as the pages' exports do: report, agency, range, day of export.
    agency = slugify(provider.agency.name)
    assert (
        f'filename="cosd-service-error-report_{agency}_all-dates_exported-2026-11-21.csv"'
        in response["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(row["Service id"]) for row in rows] == [queue["older"].pk, queue["newer"].pk]
    assert rows[0]["Failure reasons"] == "FINANCIAL_INFO_INCOMPLETE; NO_COVERAGE"
    assert rows[0]["Failure reasons (staff wording)"] == (
        "Financial Information has Not Been Completed for this Client; "
        "No Coverage Plan Time Span Covers the Date of Service"
    )
    assert rows[0]["Agency"] == "North Clinic"
    assert rows[0]["Correction due"] == "2026-10-30"
    assert rows[0]["Overdue"] == "yes"
    assert rows[1]["Days outstanding"] == "32"


def test_api_xlsx_is_the_same_rows_as_a_workbook(api_client, county_user, queue):
    api_client.force_authenticate(county_user)
    response = api_client.get(API, {"format": "xlsx", "program": queue["south"].program_id})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.values)
    assert header[0] == "Service id"
    assert [row[0] for row in rows] == [queue["south"].pk]
    assert rows[0][header.index("Failure reasons")] == "NO_COVERAGE"


def test_api_views_and_exports_are_access_logged(api_client, county_user, queue):
    api_client.force_authenticate(county_user)
    api_client.get(API, {"failure_reason": "NO_COVERAGE"})
    api_client.get(API, {"format": "csv", "program": queue["south"].program_id})
    view, export = AccessLog.objects.order_by("id")
    assert (view.action, view.target, view.filters) == (
        "view_report",
        "report:service-errors",
        {"failure_reason": "NO_COVERAGE"},
    )
    assert export.action == "export_report"
    assert export.filters == {"format": "csv", "program": str(queue["south"].program_id)}
    assert view.user == county_user


# ---- the page ---------------------------------------------------------------------------------


def test_page_shows_rows_oldest_first_and_marks_overdue(provider, queue):
    with frozen(dt.date(2026, 11, 21)):
        response = signed_in(provider).get(reverse("report-service-errors"))
    assert response.status_code == 200
    rows = [row["record"] for row in response.context["rows"]]
    assert [row["service"] for row in rows] == [queue["older"].pk, queue["newer"].pk]
    html = response.content.decode()
    assert html.count('class="table-danger overdue"') == 1
    # The deadline table shows only the phases of the months on screen (none covers Sep/Oct 2026).
    assert "Phase 3: September 2024 errors" not in html
    assert "No county deadline phase covers the months of service on this page" in html
    assert "<title>COSD Service Error Report · Billing Portal</title>" in html
    assert queue["south"].client.last_name not in html


def test_page_overdue_filter(county_user, queue):
    with frozen(dt.date(2026, 11, 21)):
        response = signed_in(county_user).get(reverse("report-service-errors"), {"overdue": "on"})
    assert [row["record"]["service"] for row in response.context["rows"]] == [
        queue["south"].pk,
        queue["older"].pk,
    ]


def test_page_htmx_request_renders_the_results_only(county_user, queue):
    response = signed_in(county_user).get(
        reverse("report-service-errors"),
        {"failure_reason": "NOTE_NOT_SIGNED"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert [row["record"]["service"] for row in response.context["rows"]] == [queue["newer"].pk]


def test_page_invalid_filter_shows_the_error_and_no_rows(county_user, queue):
    response = signed_in(county_user).get(reverse("report-service-errors"), {"dos_from": "not-a-date"})
    assert response.status_code == 200
    assert response.context["filter"].errors["dos_from"]
    assert response.context["rows"] == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_page_export_matches_the_filtered_rows_and_is_logged(county_user, queue, fmt):
    response = signed_in(county_user).get(
        reverse("report-service-errors"), {"failure_reason": "NO_COVERAGE", "export": fmt}
    )
    assert response.status_code == 200
    if fmt == "csv":
        ids = [int(row["Service id"]) for row in csv.DictReader(io.StringIO(response.content.decode()))]
    else:
        _, *rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
        ids = [row[0] for row in rows]
    assert ids == [queue["south"].pk, queue["older"].pk]
    log = AccessLog.objects.get()
    assert (log.action, log.target) == ("export_report", "report:service-errors")
    assert log.filters == {"failure_reason": "NO_COVERAGE", "format": fmt}


@pytest.mark.parametrize("extra", [0, 6])
def test_page_query_count_does_not_grow_with_rows(django_assert_num_queries, county_user, program, run, extra):
    for day in range(1 + extra):
        fail(service_on(dt.date(2026, 9, 1 + day), program=program), "NO_COVERAGE", "DX_NOT_SIGNED", run=run)
    client = signed_in(county_user)
    # session + user; access-log insert; rules; freshness token and the attention figures (by program
    # and month, by reason: the unfiltered report's count); rows; deadlines; the filter form's four
    # choice lists (programs, clinicians, procedures, agencies); session save (savepoint, update, release)
    with django_assert_num_queries(16):
        response = client.get(reverse("report-service-errors"))
    assert len(response.context["rows"]) == 1 + extra
    assert response.context["page"].paginator.count == 1 + extra
    # Again: the count comes from the cached figures.
    with django_assert_num_queries(14):
        client.get(reverse("report-service-errors"))
    # Filtered, the report counts its own rows (a count instead of the token).
    with django_assert_num_queries(14):
        filtered = client.get(reverse("report-service-errors"), {"failure_reason": "DX_NOT_SIGNED"})
    assert filtered.context["page"].paginator.count == 1 + extra


def test_reports_need_sign_in(db):
    from django.test import Client

    response = Client().get(reverse("report-service-errors"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_factory_sanity_service_dates_are_county_dates(program):
    # The report's dates are the generated date_of_service; a late-evening start stays on its county day.
    service = factories.ServiceFactory(program=program, start=factories.county_datetime(dt.date(2026, 3, 1), 23, 30))
    service.refresh_from_db()
    assert service.date_of_service == dt.date(2026, 3, 1)


def test_too_big_an_export_is_refused_with_a_message(county_user, queue, monkeypatch):
    from reports import exports

    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 2)
    client = signed_in(county_user)
    response = client.get(reverse("report-service-errors"), {"export": "csv"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("report-service-errors") + "?"
    assert "More than 2 rows: narrow the filters" in response.content.decode()
    narrowed = client.get(reverse("report-service-errors"), {"export": "csv", "failure_reason": "NOTE_NOT_SIGNED"})
    assert narrowed["Content-Type"].startswith("text/csv")
    assert list(AccessLog.objects.filter(action="export_report").values_list("filters", flat=True)) == [
        {"failure_reason": "NOTE_NOT_SIGNED", "format": "csv"}
    ]


def test_too_big_an_api_export_answers_400(api_client, county_user, queue, monkeypatch):
    from reports import exports

    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 2)
    api_client.force_authenticate(county_user)
    response = api_client.get(API, {"format": "xlsx"})
    assert response.status_code == 400
    assert "narrow the filters" in response.json()["format"][0]
    assert not AccessLog.objects.exists()
