"""Agency scope on every client-record route: two agencies, two provider admins, each blind to the other."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

# route, attribute of the agency world holding the record of that route
RECORDS = [
    ("clients", "client"),
    ("enrollments", "enrollment"),
    ("coverages", "coverage"),
    ("diagnoses", "diagnosis"),
    ("authorizations", "authorization"),
    ("services", "service"),
]


@pytest.mark.parametrize(("route", "attr"), RECORDS, ids=[route for route, _ in RECORDS])
def test_each_provider_admin_sees_only_own_agency_records(world_a, world_b, route, attr):
    for mine, theirs in ((world_a, world_b), (world_b, world_a)):
        api = client_for(mine.admin)
        listed = api.get(f"/api/{route}/").json()
        assert [row["id"] for row in listed["results"]] == [getattr(mine, attr).pk]
        assert api.get(f"/api/{route}/{getattr(mine, attr).pk}/").status_code == 200
        assert api.get(f"/api/{route}/{getattr(theirs, attr).pk}/").status_code == 404


@pytest.mark.parametrize(("route", "attr"), RECORDS, ids=[route for route, _ in RECORDS])
def test_another_agencys_record_cannot_be_changed(world_a, world_b, as_a, route, attr):
    record = getattr(world_b, attr)
    response = as_a.patch(f"/api/{route}/{record.pk}/", {}, format="json")
    assert response.status_code == 404
    before = type(record).objects.filter(pk=record.pk).values().get()
    as_a.put(f"/api/{route}/{record.pk}/", {"id": record.pk}, format="json")
    assert type(record).objects.filter(pk=record.pk).values().get() == before


@pytest.mark.parametrize(
    ("route", "attr"),
    [("coverages", "coverage"), ("diagnoses", "diagnosis"), ("authorizations", "authorization")],
)
def test_a_record_cannot_be_moved_to_another_agencys_client(world_a, world_b, as_a, route, attr):
    record = getattr(world_a, attr)
    response = as_a.patch(f"/api/{route}/{record.pk}/", {"client": world_b.client.pk}, format="json")
    assert response.status_code == 400
    assert "client" in response.json()
    record.refresh_from_db()
    assert record.client_id == world_a.client.pk


@pytest.mark.parametrize(
    ("route", "attr", "visible"),
    [
        ("clients", "client", True),
        ("coverages", "coverage", True),
        ("authorizations", "authorization", True),
        ("enrollments", "enrollment", False),
        ("diagnoses", "diagnosis", False),
        ("services", "service", False),
    ],
)
def test_a_client_enrolled_in_two_agencies_shares_client_records_but_not_program_records(
    world_a, world_b, route, attr, visible
):
    """API.md: client records follow an enrollment in any status; services, enrollments and
    diagnoses belong to their program's agency."""
    factories.EnrollmentFactory(
        client=world_a.client, program=world_b.program, status="discharged", discharged_date=dt.date(2021, 1, 1)
    )
    response = client_for(world_b.admin).get(f"/api/{route}/{getattr(world_a, attr).pk}/")
    assert response.status_code == (200 if visible else 404)
