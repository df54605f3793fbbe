"""`/api/clients/` and `/api/enrollments/`: SSN write-only, entry-time checks, transitions."""

from __future__ import annotations

import json
import logging

import pytest

from clients.models import Client, Enrollment

pytestmark = pytest.mark.django_db

SSN = "123-45-6789"
NEW_CLIENT = {
    "first_name": "Ana",
    "last_name": "Diaz",
    "date_of_birth": "1990-01-02",
    "ssn": SSN,
    "address_street": "1 Elm St",
    "address_city": "San Diego",
    "address_state": "CA",
    "address_zip": "921011234",
    "billing_address": True,
    "financial_info_complete": False,
}


def test_client_is_created_and_read_back_without_the_ssn(as_a):
    created = as_a.post("/api/clients/", NEW_CLIENT, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["ssn_last4"] == "6789"
    assert "ssn" not in body
    assert "123456789" not in created.content.decode()
    assert SSN not in created.content.decode()
    client = Client.objects.get(pk=body["id"])
    assert client.get_ssn() == "123456789"


def test_dates_are_read_back_with_four_year_digits(as_a):
    """strftime's %Y drops leading zeros: year 700 read back as "700-05-25", not a date by the schema."""
    created = as_a.post("/api/clients/", {**NEW_CLIENT, "date_of_birth": "0700-05-25"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["date_of_birth"] == "0700-05-25"


def test_new_client_enters_the_agency_scope_with_its_first_enrollment(world_a, as_a):
    client_id = as_a.post("/api/clients/", NEW_CLIENT, format="json").json()["id"]
    assert as_a.get(f"/api/clients/{client_id}/").status_code == 404
    enrollment = as_a.post(
        "/api/enrollments/",
        {"client": client_id, "program": world_a.program.pk, "requested_date": "2026-01-05"},
        format="json",
    )
    assert enrollment.status_code == 201, enrollment.json()
    assert enrollment.json()["status"] == "requested"
    assert as_a.get(f"/api/clients/{client_id}/").json()["ssn_last4"] == "6789"


def test_client_update_and_partial_update(world_a, as_a):
    url = f"/api/clients/{world_a.client.pk}/"
    patched = as_a.patch(url, {"financial_info_complete": False, "ssn": "587654321"}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["financial_info_complete"], patched.json()["ssn_last4"]) == (False, "4321")
    full = {**NEW_CLIENT, "last_name": "Diaz-Lopez"}
    del full["ssn"]
    put = as_a.put(url, full, format="json")
    assert put.status_code == 200
    world_a.client.refresh_from_db()
    assert (world_a.client.last_name, world_a.client.get_ssn()) == ("Diaz-Lopez", "587654321")


def test_blank_address_parts_are_accepted_for_the_nightly_rule_to_report(as_admin):
    body = {**NEW_CLIENT, "address_state": "", "address_zip": "", "address_city": "", "ssn": ""}
    created = as_admin.post("/api/clients/", body, format="json")
    assert created.status_code == 201
    assert created.json()["ssn_last4"] == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ssn": "12345678"}, "ssn"),
        ({"ssn": "1234567890"}, "ssn"),
        ({"ssn": "123-45-678X"}, "ssn"),
        # Never issued (SSA): area 000, 666 or 900-999, group 00, serial 0000.
        ({"ssn": "000-00-0000"}, "ssn"),
        ({"ssn": "000-12-3456"}, "ssn"),
        ({"ssn": "666-12-3456"}, "ssn"),
        ({"ssn": "900-12-3456"}, "ssn"),
        ({"ssn": "999123456"}, "ssn"),
        ({"ssn": "123-00-4567"}, "ssn"),
        ({"ssn": "123-45-0000"}, "ssn"),
        ({"address_state": "C"}, "address_state"),
        ({"address_state": "C1"}, "address_state"),
        ({"address_zip": "9210"}, "address_zip"),
        ({"address_zip": "921011"}, "address_zip"),
        ({"address_zip": "ABCDE"}, "address_zip"),
        ({"date_of_birth": "1990-13-01"}, "date_of_birth"),
        ({"date_of_birth": "01/02/1990"}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": None}, "date_of_birth"),
        ({"first_name": ""}, "first_name"),
        ({"billing_address": "maybe"}, "billing_address"),
        ({"first_name": "\ud800"}, "first_name"),
    ],
)
def test_bad_client_input_answers_400_naming_the_field_and_never_echoes_the_ssn(as_a, caplog, change, field):
    caplog.set_level(logging.DEBUG)
    # json.dumps escapes a lone surrogate as \ud800, as a real client would send it.
    response = as_a.post("/api/clients/", json.dumps({**NEW_CLIENT, **change}), content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    for secret in ("123456789", SSN, str(change.get("ssn", SSN))):
        assert secret not in response.content.decode()
        assert secret not in caplog.text


def test_client_of_another_agency_is_404_and_never_listed(world_a, world_b, as_a):
    assert as_a.get(f"/api/clients/{world_b.client.pk}/").status_code == 404
    assert as_a.patch(f"/api/clients/{world_b.client.pk}/", {"first_name": "X"}, format="json").status_code == 404
    listed = as_a.get("/api/clients/").json()
    assert [row["id"] for row in listed["results"]] == [world_a.client.pk]


def test_county_billing_reads_every_client_but_cannot_write_them(world_a, world_b, as_county):
    assert as_county.get("/api/clients/").json()["count"] == 2
    assert as_county.post("/api/clients/", NEW_CLIENT, format="json").status_code == 403
    assert as_county.patch(f"/api/clients/{world_a.client.pk}/", {"first_name": "X"}, format="json").status_code == 403


def test_clients_and_enrollments_are_never_deleted(world_a, as_admin):
    assert as_admin.delete(f"/api/clients/{world_a.client.pk}/").status_code == 405
    assert as_admin.delete(f"/api/enrollments/{world_a.enrollment.pk}/").status_code == 405


# --- enrollments ----------------------------------------------------------------------------------


def test_enrollment_moves_from_requested_to_enrolled_to_discharged(world_a, as_a):
    client_id = as_a.post("/api/clients/", NEW_CLIENT, format="json").json()["id"]
    created = as_a.post(
        "/api/enrollments/",
        {"client": client_id, "program": world_a.program.pk, "requested_date": "2026-01-05"},
        format="json",
    ).json()
    url = f"/api/enrollments/{created['id']}/"
    enrolled = as_a.patch(url, {"status": "enrolled", "enrolled_date": "2026-01-10"}, format="json")
    assert enrolled.status_code == 200, enrolled.json()
    assert enrolled.json()["enrolled_date"] == "2026-01-10"
    discharged = as_a.patch(url, {"status": "discharged", "discharged_date": "2026-06-30"}, format="json")
    assert discharged.json()["status"] == "discharged"
    back = as_a.patch(url, {"status": "enrolled"}, format="json")
    assert back.status_code == 400
    assert "status" in back.json()
    assert Enrollment.objects.get(pk=created["id"]).status == "discharged"


def test_enrollments_list_filters_by_client_and_status(world_a, world_b, as_admin):
    rows = as_admin.get("/api/enrollments/", {"client": world_b.client.pk, "status": "enrolled"}).json()["results"]
    assert [row["id"] for row in rows] == [world_b.enrollment.pk]
    assert as_admin.get("/api/enrollments/", {"client": "x"}).status_code == 400


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "enrolled"}, "enrolled_date"),
        ({"status": "active"}, "status"),
        ({"status": "requested", "enrolled_date": "2026-01-10"}, "enrolled_date"),
        ({"status": "enrolled", "enrolled_date": "2025-12-31"}, "enrolled_date"),
        ({"status": "discharged", "enrolled_date": "2026-02-01", "discharged_date": "2026-01-31"}, "discharged_date"),
        ({"requested_date": "2026-02-30"}, "requested_date"),
        ({"program": 999999}, "program"),
        ({"client": 999999}, "client"),
        ({"client": [1]}, "client"),
    ],
)
def test_bad_enrollment_input_answers_400_naming_the_field(world_a, as_a, change, field):
    client_id = as_a.post("/api/clients/", NEW_CLIENT, format="json").json()["id"]
    body = {"client": client_id, "program": world_a.program.pk, "requested_date": "2026-01-05", **change}
    response = as_a.post("/api/enrollments/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_second_open_enrollment_in_the_same_program_is_refused(world_a, as_a):
    body = {"client": world_a.client.pk, "program": world_a.program.pk, "requested_date": "2026-01-05"}
    response = as_a.post("/api/enrollments/", body, format="json")
    assert response.status_code == 400
    assert "program" in response.json()


def test_provider_cannot_enroll_into_another_agency_or_another_agencys_client(world_a, world_b, as_a):
    into_b = as_a.post(
        "/api/enrollments/",
        {"client": world_a.client.pk, "program": world_b.program.pk, "requested_date": "2026-01-05"},
        format="json",
    )
    assert into_b.status_code == 400
    assert "program" in into_b.json()
    other_program = world_a.program.__class__.objects.create(
        agency=world_a.agency, name="Second", code="SECOND", program_type="SUD"
    )
    b_client = as_a.post(
        "/api/enrollments/",
        {"client": world_b.client.pk, "program": other_program.pk, "requested_date": "2026-01-05"},
        format="json",
    )
    assert b_client.status_code == 400
    assert b_client.json() == {"client": ["Unknown client."]}
    assert as_a.get(f"/api/enrollments/{world_b.enrollment.pk}/").status_code == 404
    moved = as_a.patch(f"/api/enrollments/{world_a.enrollment.pk}/", {"program": world_b.program.pk}, format="json")
    assert moved.status_code == 400
