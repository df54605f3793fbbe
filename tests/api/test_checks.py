"""`POST /api/checks/` and the `check` of `/api/services/`: tonight's verdict now, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from nightly.models import FailureOverride, Rule
from services.models import Service
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 4, 15, 12, 0, tzinfo=dt.UTC)  # today: 2026-04-15 in the county


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def failing_service(world, **change) -> Service:
    change.setdefault("start", factories.county_datetime(dt.date(2026, 3, 9)))
    change.setdefault("note_signed", False)
    return factories.billable_service(
        client=world.client,
        program=world.program,
        procedure=world.service.procedure,
        clinician=world.clinician,
        **change,
    )


def test_a_clients_show_services_get_tonights_verdict(world_a, as_a):
    failing = failing_service(world_a)
    response = as_a.post("/api/checks/", {"client": world_a.client.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2026-04-15"
    by_service = {row["service"]: row for row in body["results"]}
    assert by_service[world_a.service.pk] == {
        "service": world_a.service.pk,
        "would_complete": True,
        "reasons": [],
        "units": "1.00",
        "rate": "100.00",
        "charge": "100.00",
    }
    note = Rule.objects.get(code="NOTE_NOT_SIGNED")
    assert by_service[failing.pk] == {
        "service": failing.pk,
        "would_complete": False,
        "reasons": [{"code": "NOTE_NOT_SIGNED", "message": note.message, "hint": note.resolution_hint}],
        "units": None,
        "rate": None,
        "charge": None,
    }


def test_an_override_lets_the_reason_pass_in_the_check(world_a, as_a, county_user):
    failing = failing_service(world_a)
    FailureOverride.objects.create(
        service=failing, rule=Rule.objects.get(code="NOTE_NOT_SIGNED"), reason="paper note", created_by=county_user
    )
    row = as_a.post("/api/checks/", {"services": [failing.pk]}, format="json").json()["results"][0]
    assert (row["would_complete"], row["reasons"], row["charge"]) == (True, [], "100.00")


def test_another_agencys_client_or_service_is_a_404(world_a, world_b, as_a):
    assert as_a.post("/api/checks/", {"client": world_b.client.pk}, format="json").status_code == 404
    assert as_a.post("/api/checks/", {"client": 987654}, format="json").status_code == 404
    mixed = {"services": [world_a.service.pk, world_b.service.pk]}
    assert as_a.post("/api/checks/", mixed, format="json").status_code == 404
    assert as_a.post("/api/checks/", {"services": [987654]}, format="json").status_code == 404


def test_a_client_with_no_show_services_has_no_results(world_a, as_a):
    Service.objects.filter(client=world_a.client).update(status="cancel")
    response = as_a.post("/api/checks/", {"client": world_a.client.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_list_mixing_clients_gets_each_its_verdict(world_a, world_b, as_county):
    failing = failing_service(world_b)
    listed = [world_a.service.pk, world_b.service.pk, failing.pk]
    rows = as_county.post("/api/checks/", {"services": listed}, format="json").json()["results"]
    assert [(row["service"], row["would_complete"]) for row in rows] == [
        (world_a.service.pk, True),
        (world_b.service.pk, True),
        (failing.pk, False),
    ]


def test_services_the_night_would_not_look_at_are_left_out(world_a, as_a):
    cancelled = failing_service(world_a, status="cancel")
    held = failing_service(world_a, do_not_complete=True)
    rows = as_a.post("/api/checks/", {"services": [cancelled.pk, held.pk]}, format="json").json()["results"]
    assert rows == []


def test_as_of_decides_which_services_are_candidates_and_how_they_fare(world_a, as_a):
    # The service is dated 2026-03-02: not yet a candidate the day before, and past timely filing in 2027-04.
    body = {"client": world_a.client.pk}
    assert as_a.post("/api/checks/", {**body, "as_of": "2026-03-01"}, format="json").json()["results"] == []
    with time_machine.travel(dt.datetime(2027, 5, 1, 12, tzinfo=dt.UTC), tick=False):
        late = as_a.post("/api/checks/", {**body, "as_of": "2027-04-01"}, format="json").json()
    assert late["as_of"] == "2027-04-01"
    assert [reason["code"] for reason in late["results"][0]["reasons"]] == ["TIMELY_FILING_LIMIT"]


def test_bad_input_is_a_400_naming_the_field(world_a, as_a):
    both = as_a.post("/api/checks/", {"client": world_a.client.pk, "services": [1]}, format="json")
    assert both.status_code == 400
    assert "client" in both.json()
    assert as_a.post("/api/checks/", {}, format="json").status_code == 400
    future = as_a.post("/api/checks/", {"client": world_a.client.pk, "as_of": "2026-04-16"}, format="json")
    assert (future.status_code, list(future.json())) == (400, ["as_of"])
    too_many = as_a.post("/api/checks/", {"services": list(range(1, 1002))}, format="json")
    assert (too_many.status_code, list(too_many.json())) == (400, ["services"])
    assert as_a.post("/api/checks/", {"services": ["x"]}, format="json").status_code == 400
    huge = as_a.post("/api/checks/", {"client": 2**63}, format="json")
    assert (huge.status_code, list(huge.json())) == (400, ["client"])
    assert as_a.post("/api/checks/", {"services": []}, format="json").json()["results"] == []


def _row_counts() -> dict[str, int]:
    tables = [
        "services_service",
        "services_serviceevent",
        "nightly_servicefailure",
        "nightly_failurehistory",
        "nightly_nightlyrun",
        "pghistory_context",
    ]
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT to_regclass('pg_temp.nightly_cand') IS NULL AND to_regclass('pg_temp.nightly_fail') IS NULL"
        )
        counts["no temporary tables"] = cursor.fetchone()[0]
    return counts


def test_nothing_is_written(world_a, as_a):
    failing_service(world_a)
    before = _row_counts()
    versions = dict(Service.objects.values_list("pk", "updated_at"))
    assert as_a.post("/api/checks/", {"client": world_a.client.pk}, format="json").status_code == 200
    assert as_a.post("/api/checks/", {"services": list(versions)}, format="json").status_code == 200
    assert as_a.get("/api/services/").status_code == 200
    assert _row_counts() == before
    assert before["no temporary tables"] is True
    assert dict(Service.objects.values_list("pk", "updated_at")) == versions
    assert set(Service.objects.values_list("status", flat=True)) == {"show"}


# --- the `check` of /api/services/ ----------------------------------------------------------------


def test_every_listed_service_carries_its_check(world_a, as_a):
    failing = failing_service(world_a)
    cancelled = failing_service(world_a, status="cancel")
    future = failing_service(world_a, start=factories.county_datetime(dt.date(2026, 4, 20)))
    rows = {row["id"]: row["check"] for row in as_a.get("/api/services/").json()["results"]}
    assert rows[world_a.service.pk]["would_complete"] is True
    assert rows[world_a.service.pk]["charge"] == "100.00"
    assert [reason["code"] for reason in rows[failing.pk]["reasons"]] == ["NOTE_NOT_SIGNED"]
    assert rows[cancelled.pk] is None
    assert rows[future.pk] is None


def test_one_service_read_or_saved_carries_its_check(world_a, as_a):
    failing = failing_service(world_a)
    read = as_a.get(f"/api/services/{failing.pk}/").json()
    assert read["check"]["would_complete"] is False
    corrected = as_a.patch(f"/api/services/{failing.pk}/", {"note_signed": True}, format="json")
    assert corrected.status_code == 200
    assert corrected.json()["check"]["would_complete"] is True  # the save's verdict, at once


@pytest.mark.parametrize("who", ["provider_admin", "county_billing"])
def test_the_pages_checks_cost_one_engine_call_whatever_its_size(who, world_a, county_user, django_assert_num_queries):
    from tests.api.conftest import client_for

    api = client_for(world_a.admin if who == "provider_admin" else county_user)
    for index in range(30):
        other = factories.ClientFactory()
        factories.billable_service(
            client=other, program=world_a.program, start=factories.county_datetime(dt.date(2026, 1, 1 + index))
        )
    # count, page, failures, their rules (4) + the check of the page: services' clients, active rules,
    # savepoint, drop, candidates, analyze, failure table, one statement per rule, overrides, verdicts,
    # rollback. The same for 3 rows or 30, each row of another client.
    rules = Rule.objects.count()
    for page_size in (3, 30):
        with django_assert_num_queries(4 + 10 + rules):
            response = api.get("/api/services/", {"page_size": page_size})
        assert response.status_code == 200
        rows = response.json()["results"]
        assert len(rows) == page_size
        assert all(row["check"]["would_complete"] for row in rows)
