"""The Services list: filters of DOMAIN.md, columns, sorting, paging, htmx, exports, scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import AccessLog
from services.models import Service
from tests import factories
from tests.reports.conftest import fail, service_on, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def services(program, other_program, run):
    procedure = factories.ProcedureFactory(code="H0043", modifier="U6")
    clinician = factories.StaffFactory(agency=program.agency, first_name="Ana", last_name="Ortiz")
    complete = service_on(
        dt.date(2026, 9, 10),
        program=program,
        procedure=procedure,
        clinician=clinician,
        status=Service.Status.COMPLETE,
        units=Decimal("1.00"),
        rate=Decimal("386.00"),
        charge=Decimal("386.00"),
    )
    failing = fail(service_on(dt.date(2026, 9, 1), program=program), "NOTE_NOT_SIGNED", run=run)
    late = service_on(dt.date(2026, 10, 15), program=program, clinician=clinician)
    south = service_on(dt.date(2026, 9, 2), program=other_program)
    return {"complete": complete, "failing": failing, "late": late, "south": south, "procedure": procedure}


def listed(response) -> list[int]:
    return [row["service"].pk for row in response.context["rows"]]


def test_list_shows_own_agency_oldest_first(provider, services):
    response = signed_in(provider).get(reverse("service-list"))
    assert response.status_code == 200
    assert listed(response) == [services["failing"].pk, services["complete"].pk, services["late"].pk]
    html = response.content.decode()
    assert "<title>Services · Billing Portal</title>" in html
    assert "386.00 (386.00)" in html  # charge (rate)
    assert "H0043-U6" in html
    assert "Must Have a Signed Note Before Completing Service" in html
    assert f'href="/services/{services["failing"].pk}/"' in html
    assert services["south"].client.last_name not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"dos_from": "2026-09-05", "dos_to": "2026-09-30"}, ["complete"]),
        ({"status": "complete"}, ["complete"]),
        ({"failure_reason": "NOTE_NOT_SIGNED"}, ["failing"]),
        ({"failing": "true"}, ["failing"]),
        ({"failing": "false"}, ["failing", "complete", "late"]),
        ({"procedure": "PROCEDURE"}, ["complete"]),
        ({"clinician": "CLINICIAN"}, ["complete", "late"]),
        ({"client": "CLIENT"}, ["late"]),
    ],
)
def test_list_filters(provider, services, params, expected):
    replace = {
        "PROCEDURE": str(services["procedure"].pk),
        "CLINICIAN": str(services["late"].clinician_id),
        "CLIENT": str(services["late"].client_id),
    }
    query = {key: replace.get(value, value) for key, value in params.items()}
    response = signed_in(provider).get(reverse("service-list"), query)
    assert listed(response) == [services[name].pk for name in expected]


def test_list_program_filter_and_county_agency_filter(county_user, program, other_program, services):
    client = signed_in(county_user)
    assert listed(client.get(reverse("service-list"), {"program": other_program.pk})) == [services["south"].pk]
    by_agency = client.get(reverse("service-list"), {"agency": program.agency_id})
    assert services["south"].pk not in listed(by_agency)
    assert len(listed(by_agency)) == 3


def test_list_sorts_by_a_column(provider, services):
    response = signed_in(provider).get(reverse("service-list"), {"sort": "-date_of_service"})
    assert listed(response) == [services["late"].pk, services["complete"].pk, services["failing"].pk]


def test_list_paginates(provider, program):
    for day in range(1, 56):
        service_on(dt.date(2026, 1, 1) + dt.timedelta(days=day), program=program)
    client = signed_in(provider)
    first = client.get(reverse("service-list"))
    second = client.get(reverse("service-list"), {"page": 2})
    assert len(listed(first)) == 50
    assert len(listed(second)) == 5
    assert first.context["has_next"]
    assert not second.context["has_next"]
    # The total, counted: "Services (55)", and which rows this page shows.
    assert 'Services (<strong id="row-count">55</strong>)' in second.content.decode()
    assert "showing 51\u201355" in second.content.decode()


def test_list_htmx_filtering_returns_the_results_only(provider, services):
    response = signed_in(provider).get(
        reverse("service-list"), {"status": "complete"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert listed(response) == [services["complete"].pk]


def test_list_provider_cannot_pick_another_agencys_program(provider, other_program, services):
    response = signed_in(provider).get(reverse("service-list"), {"program": other_program.pk})
    assert response.context["filter"].errors["program"]
    assert listed(response) == []


def test_list_export_csv_has_the_filtered_rows(provider, services):
    response = signed_in(provider).get(reverse("service-list"), {"dos_to": "2026-09-30", "export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(row["Service id"]) for row in rows] == [services["failing"].pk, services["complete"].pk]
    assert rows[1]["Charge"] == "386.00"
    assert rows[1]["Procedure"] == "H0043-U6"
    assert rows[0]["Failure reasons"] == "NOTE_NOT_SIGNED"
    log = AccessLog.objects.get()
    assert (log.action, log.target, log.filters) == (
        "export_report",
        "report:services",
        {"dos_to": "2026-09-30", "format": "csv"},
    )


def test_list_export_xlsx_has_the_filtered_rows(county_user, other_program, services):
    response = signed_in(county_user).get(reverse("service-list"), {"program": other_program.pk, "export": "xlsx"})
    header, *rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert [row[header.index("Service id")] for row in rows] == [services["south"].pk]


@pytest.mark.parametrize("extra", [0, 5])
def test_list_query_count_is_fixed(django_assert_num_queries, provider, program, run, extra):
    for day in range(1 + extra):
        fail(service_on(dt.date(2026, 8, 1 + day), program=program), "NO_COVERAGE", run=run)
    client = signed_in(provider)
    # session + user; rules; the capped total; rows (reasons as an array subquery); the form's choice lists
    # (programs, clinicians, procedures); the layout's agency name; session save (savepoint, update,
    # release)
    with django_assert_num_queries(12):
        client.get(reverse("service-list"), {"status": "show"})


def test_list_sort_links_toggle_and_mark_the_sorted_column(provider, services):
    response = signed_in(provider).get(reverse("service-list"), {"sort": "client", "status": "show"})
    columns = {column["label"]: column for column in response.context["columns"]}
    assert columns["Client"]["sorted"] == "ascending"
    assert "sort=-client" in columns["Client"]["sort_link"]
    assert "status=show" in columns["Client"]["sort_link"]
    assert columns["Failure reasons"]["sort_link"] == ""


def test_list_unknown_sort_falls_back_to_oldest_first(provider, services):
    response = signed_in(provider).get(reverse("service-list"), {"sort": "client__ssn_encrypted"})
    assert listed(response) == [services["failing"].pk, services["complete"].pk, services["late"].pk]


def test_list_filter_form_carries_the_sort_so_a_filter_keeps_it(provider, services):
    client = signed_in(provider)
    sorted_page = client.get(
        reverse("service-list"), {"sort": "-client"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert '<input type="hidden" name="sort" value="-client" form="filters">' in sorted_page.content.decode()
    assert 'id="filters"' in client.get(reverse("service-list")).content.decode()
    assert 'name="sort"' not in client.get(reverse("service-list"), {"status": "show"}).content.decode()


def test_failing_only_leaves_out_services_put_in_error_and_their_old_reasons(provider, program, run):
    """A service put in Error keeps its last run's reasons on file, but it is no longer work to do."""
    in_error = fail(
        service_on(dt.date(2026, 9, 5), program=program, status=Service.Status.ERROR), "NO_COVERAGE", run=run
    )
    showing = fail(service_on(dt.date(2026, 9, 6), program=program), "NO_COVERAGE", run=run)
    client = signed_in(provider)
    assert listed(client.get(reverse("service-list"), {"failing": "true"})) == [showing.pk]
    every = client.get(reverse("service-list"))
    assert listed(every) == [in_error.pk, showing.pk]
    # The row of the service in Error shows no reason badge; the one in Show does.
    assert every.content.decode().count('<span class="badge text-bg-warning">NO_COVERAGE</span>') == 1
    # Months of service: the month picker keeps only September's first week here.
    assert listed(client.get(reverse("service-list"), {"month": "2026-09"})) == [in_error.pk, showing.pk]
    assert listed(client.get(reverse("service-list"), {"month": "2026-10"})) == []
    assert client.get(reverse("service-list"), {"month": "2026-13"}).context["filter"].errors
