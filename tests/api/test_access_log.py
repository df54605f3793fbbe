"""Issue 9 item 5: every API answer holding client data writes one access-log row like the pages
do: who, which route, the ids of the clients read and the remote address; never a name."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import AccessLog
from nightly.models import Rule
from tests import factories
from tests.api.conftest import client_for
from tests.api.test_services import fail

pytestmark = pytest.mark.django_db

ROUTES = [
    ("clients", "client"),
    ("enrollments", "enrollment"),
    ("coverages", "coverage"),
    ("diagnoses", "diagnosis"),
    ("authorizations", "authorization"),
    ("services", "service"),
]


@pytest.mark.parametrize(("route", "attribute"), ROUTES)
def test_a_list_writes_one_row_with_the_clients_read_and_the_address(world_a, world_b, as_a, route, attribute):
    response = as_a.get(f"/api/{route}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.target) == (world_a.admin, "api_read", f"api:{attribute}")
    assert log.client_ids == [world_a.client.pk]
    assert log.remote_addr == "10.1.2.3"


@pytest.mark.parametrize(("route", "attribute"), ROUTES)
def test_a_detail_writes_one_row_with_its_client(world_a, as_a, route, attribute):
    record = getattr(world_a, attribute if attribute != "service" else "service")
    response = as_a.get(f"/api/{route}/{record.pk}/")
    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.target, log.client_ids, log.remote_addr) == (
        f"api:{attribute}:{record.pk}",
        [world_a.client.pk],
        "127.0.0.1",
    )


@pytest.mark.parametrize(("route", "attribute"), ROUTES)
def test_another_agencys_record_reads_nothing_and_logs_nothing(world_a, world_b, as_a, route, attribute):
    assert as_a.get(f"/api/{route}/{getattr(world_b, attribute).pk}/").status_code == 404
    assert not AccessLog.objects.exists()


def test_the_county_list_logs_every_client_on_the_page_once(world_a, world_b, as_county, county_user):
    second = factories.ClientFactory()
    factories.EnrollmentFactory(client=second, program=world_a.program)
    as_county.get("/api/enrollments/", {"program": world_a.program.pk, "page_size": 50, "name": "Smith"})
    log = AccessLog.objects.get(user=county_user)
    assert log.client_ids == sorted([world_a.client.pk, second.pk])
    # The route's own filters are kept; a parameter the route does not know (a name) is not.
    assert log.filters == {"program": str(world_a.program.pk), "page_size": "50"}


def test_one_row_and_one_insert_per_request_whatever_the_page_size(world_a, django_assert_num_queries):
    api = client_for(world_a.admin)
    for index in range(20):
        service = factories.billable_service(
            client=world_a.client, program=world_a.program, start=factories.county_datetime(dt.date(2026, 1, 1 + index))
        )
        fail(service, "NO_COVERAGE")
    # count, page, failures, rules, the access-log INSERT (5), plus the page's `check`: one engine call
    # whatever the page size (10 and one per rule, tests/api/test_checks.py) with pghistory's context (1).
    queries = 5 + 1 + 10 + Rule.objects.count()
    with django_assert_num_queries(queries) as small:
        api.get("/api/services/", {"page_size": 2})
    with django_assert_num_queries(queries) as large:
        api.get("/api/services/", {"page_size": 21})
    inserts = [
        q["sql"]
        for q in small.captured_queries + large.captured_queries
        if 'INSERT INTO "accounts_accesslog"' in q["sql"]
    ]
    assert len(inserts) == 2
    assert AccessLog.objects.count() == 2


def test_the_service_error_report_logs_the_clients_it_lists(world_a, world_b, as_county):
    fail(world_a.service, "NO_COVERAGE")
    fail(world_b.service, "NO_COVERAGE")
    as_county.get("/api/reports/service-errors/", REMOTE_ADDR="10.9.8.7")
    log = AccessLog.objects.get()
    assert (log.action, log.target, log.remote_addr) == ("view_report", "report:service-errors", "10.9.8.7")
    assert log.client_ids == sorted([world_a.client.pk, world_b.client.pk])
    as_county.get("/api/reports/service-errors/", {"format": "csv"})
    export = AccessLog.objects.get(action="export_report")
    assert export.client_ids == sorted([world_a.client.pk, world_b.client.pk])


# --- the client search: POSTed, never in a URL -----------------------------------------------------


def test_the_api_client_search_is_a_post_whose_query_is_not_logged(world_a, world_b, as_a):
    response = as_a.post("/api/clients/search/", {"q": world_a.client.last_name[:3]}, format="json")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [world_a.client.pk]
    log = AccessLog.objects.get()
    assert (log.target, log.client_ids) == ("api:client-search", [world_a.client.pk])
    assert world_a.client.last_name[:3] not in str(log.filters)
    # Another agency's client is not found by name or id.
    by_id = as_a.post("/api/clients/search/", {"q": str(world_b.client.pk)}, format="json")
    assert by_id.json()["results"] == []


def test_the_api_client_search_is_open_to_county_billing_and_refuses_bad_input(world_a, world_b, as_county):
    found = as_county.post("/api/clients/search/", {"q": str(world_b.client.pk)}, format="json")
    assert [row["id"] for row in found.json()["results"]] == [world_b.client.pk]
    too_long = as_county.post("/api/clients/search/", {"q": "x" * 101}, format="json")
    assert too_long.status_code == 400
    assert "q" in too_long.json()
    assert as_county.get("/api/clients/search/").status_code == 405
