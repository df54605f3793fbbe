"""Reference data routes: everyone signed in reads; county billing and system admins write; delete
only while nothing uses the record."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def new_payload(route: str) -> dict[str, Any]:
    """A valid body for a new record of `route`, with the records it points at made fresh."""
    if route == "agencies":
        return {
            "name": "North County Clinic",
            "address_city": "Oceanside",
            "address_state": "ca",
            "address_zip": "92054",
        }
    if route == "programs":
        return {"agency": factories.AgencyFactory().pk, "name": "Adult MH", "code": "AMH1", "program_type": "MH"}
    if route == "staff":
        return {
            "agency": factories.AgencyFactory().pk,
            "first_name": "Lee",
            "last_name": "Park",
            "credential": "SUD_CERTIFIED",
            "credential_expires": "2027-01-31",
            "npi": "1234567893",
        }
    if route == "locations":
        return {"name": "Main office", "place_of_service": "11"}
    if route == "payers":
        return {"name": "Blue Plan", "payer_type": "MCP"}
    if route == "procedures":
        return {
            "code": "H0043",
            "modifier": "U6",
            "name": "Housing navigation",
            "billable": True,
            "requires_note": True,
            "requires_authorization": True,
            "allowed_credentials": ["LPHA", "PEER"],
            "unit": "month",
        }
    if route == "procedure-limits":
        return {"procedure": factories.ProcedureFactory().pk, "max_count": 2, "period": "month", "distinct_dates": True}
    if route == "rates":
        return {
            "procedure": factories.ProcedureFactory().pk,
            "program": None,
            "payer": factories.PayerFactory().pk,
            "start_date": "2025-07-01",
            "end_date": None,
            "amount": "386.00",
        }
    raise AssertionError(route)


# route, factory of an existing record, a field to change and its new value
ROUTES = [
    ("agencies", factories.AgencyFactory, "address_city", "Escondido"),
    ("programs", factories.ProgramFactory, "name", "Renamed program"),
    ("staff", factories.StaffFactory, "credential", "PEER"),
    ("locations", factories.LocationFactory, "place_of_service", "02"),
    ("payers", factories.PayerFactory, "payer_type", "COUNTY"),
    ("procedures", factories.ProcedureFactory, "requires_note", False),
    ("procedure-limits", factories.ProcedureLimitFactory, "max_count", 3),
    ("rates", factories.RateFactory, "amount", "125.50"),
]
ROUTE_IDS = [route for route, *_ in ROUTES]


@pytest.mark.parametrize(("route", "factory", "field", "value"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("writer", ["county_user", "system_admin"])
def test_county_and_system_admin_create_read_update_and_delete(route, factory, field, value, writer, request):
    api = client_for(request.getfixturevalue(writer))
    created = api.post(f"/api/{route}/", new_payload(route), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]

    assert api.get(f"/api/{route}/{pk}/").json() == created.json()
    assert pk in [row["id"] for row in api.get(f"/api/{route}/", {"page_size": 500}).json()["results"]]

    patched = api.patch(f"/api/{route}/{pk}/", {field: value}, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()[field] == value

    full = {**created.json(), field: value}
    full.pop("id")
    assert api.put(f"/api/{route}/{pk}/", full, format="json").status_code == 200

    assert api.delete(f"/api/{route}/{pk}/").status_code == 204
    assert api.get(f"/api/{route}/{pk}/").status_code == 404


def test_agency_state_is_stored_upper_case(as_county):
    created = as_county.post("/api/agencies/", new_payload("agencies"), format="json")
    assert created.json()["address_state"] == "CA"


@pytest.mark.parametrize(("route", "factory", "field", "value"), ROUTES, ids=ROUTE_IDS)
def test_provider_admin_reads_but_cannot_write_reference_data(world_a, as_a, route, factory, field, value):
    record = factory(agency=world_a.agency) if route in {"programs", "staff"} else factory()
    assert as_a.get(f"/api/{route}/{record.pk}/").status_code == 200
    assert as_a.post(f"/api/{route}/", new_payload(route), format="json").status_code == 403
    assert as_a.patch(f"/api/{route}/{record.pk}/", {field: value}, format="json").status_code == 403
    assert as_a.delete(f"/api/{route}/{record.pk}/").status_code == 403


def test_provider_admin_lists_only_own_agency_programs_and_staff(world_a, world_b, as_a):
    programs = as_a.get("/api/programs/").json()["results"]
    staff = as_a.get("/api/staff/").json()["results"]
    assert {row["agency"] for row in programs} == {world_a.agency.pk}
    assert {row["agency"] for row in staff} == {world_a.agency.pk}
    assert as_a.get(f"/api/programs/{world_b.program.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("route", "attr"),
    [
        ("agencies", "agency"),
        ("programs", "program"),
        ("staff", "clinician"),
        ("payers", None),
        ("procedures", None),
        ("locations", None),
    ],
)
def test_reference_data_in_use_cannot_be_deleted(world_a, as_county, route, attr):
    service = world_a.service
    record = {
        "agency": world_a.agency,
        "program": world_a.program,
        "clinician": world_a.clinician,
        None: {"payers": world_a.coverage.payer, "procedures": service.procedure, "locations": service.location}.get(
            route
        ),
    }[attr]
    response = as_county.delete(f"/api/{route}/{record.pk}/")
    assert response.status_code == 409
    assert as_county.get(f"/api/{route}/{record.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("route", "change", "field"),
    [
        ("agencies", {"address_state": "California"}, "address_state"),
        ("agencies", {"address_zip": "9210"}, "address_zip"),
        ("agencies", {"name": ""}, "name"),
        ("programs", {"program_type": "XX"}, "program_type"),
        ("programs", {"agency": 999999}, "agency"),
        ("programs", {"agency": "abc"}, "agency"),
        ("staff", {"credential": "DOCTOR"}, "credential"),
        ("staff", {"npi": "12345"}, "npi"),
        ("staff", {"credential_expires": "2027-02-30"}, "credential_expires"),
        ("locations", {"place_of_service": "1A"}, "place_of_service"),
        ("payers", {"payer_type": "PRIVATE"}, "payer_type"),
        ("procedures", {"unit": "hour"}, "unit"),
        ("procedures", {"allowed_credentials": "LPHA"}, "allowed_credentials"),
        ("procedures", {"allowed_credentials": ["WIZARD"]}, "allowed_credentials"),
        ("procedures", {"modifier": "U66"}, "modifier"),
        ("procedure-limits", {"period": "year"}, "period"),
        ("procedure-limits", {"max_count": 0}, "max_count"),
        ("procedure-limits", {"max_count": None}, "max_count"),
        ("procedure-limits", {"prerequisite_procedure": 999999}, "prerequisite_procedure"),
        ("procedure-limits", {"prerequisite_months": 2}, "prerequisite_procedure"),
        ("rates", {"amount": "-1.00"}, "amount"),
        ("rates", {"amount": "abc"}, "amount"),
        ("rates", {"end_date": "2025-06-30"}, "end_date"),
        ("rates", {"start_date": "07/01/2025"}, "start_date"),
        ("rates", {"procedure": 999999}, "procedure"),
        ("rates", {"program": 999999}, "program"),
    ],
)
def test_bad_reference_data_answers_400_naming_the_field(as_county, route, change, field):
    response = as_county.post(f"/api/{route}/", {**new_payload(route), **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_duplicate_procedure_code_and_modifier_is_refused(as_county):
    factories.ProcedureFactory(code="H0043", modifier="U6")
    response = as_county.post("/api/procedures/", new_payload("procedures"), format="json")
    assert response.status_code == 400


def test_procedures_can_be_looked_up_by_code_and_modifier(as_a):
    wanted = factories.ProcedureFactory(code="H0044", modifier="U2")
    factories.ProcedureFactory(code="H0044", modifier="U3")
    rows = as_a.get("/api/procedures/", {"code": "h0044", "modifier": "U2"}).json()["results"]
    assert [row["id"] for row in rows] == [wanted.pk]
