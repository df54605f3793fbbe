"""`/api/coverages/`, `/api/diagnoses/` and `/api/authorizations/`: happy paths and bad input."""

from __future__ import annotations

import pytest

from diagnosis.models import DiagnosisCode
from tests import factories

pytestmark = pytest.mark.django_db


# --- coverage -------------------------------------------------------------------------------------


def coverage_body(world, **change):
    payer = factories.PayerFactory(name="Partner MCP", payer_type="MCP")
    return {
        "client": world.client.pk,
        "payer": payer.pk,
        "priority": 2,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "insured_id": "91234567A",
        "subscriber_is_client": True,
        **change,
    }


def test_coverage_create_read_update(world_a, as_a):
    created = as_a.post("/api/coverages/", coverage_body(world_a), format="json")
    assert created.status_code == 201, created.json()
    url = f"/api/coverages/{created.json()['id']}/"
    assert as_a.get(url).json() == created.json()
    patched = as_a.patch(url, {"insured_id": "", "subscriber_is_client": False}, format="json")
    assert (patched.json()["insured_id"], patched.json()["subscriber_is_client"]) == ("", False)
    put = as_a.put(url, {**created.json(), "end_date": None}, format="json")
    assert put.status_code == 200
    assert put.json()["end_date"] is None
    rows = as_a.get("/api/coverages/", {"client": world_a.client.pk}).json()["results"]
    assert sorted(row["priority"] for row in rows) == [1, 2]
    assert as_a.delete(url).status_code == 405


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"priority": 1}, "priority"),
        ({"priority": 0}, "priority"),
        ({"priority": "first"}, "priority"),
        ({"end_date": "2025-12-31"}, "end_date"),
        ({"start_date": "2026-1-1x"}, "start_date"),
        ({"start_date": None}, "start_date"),
        ({"payer": 999999}, "payer"),
        ({"client": 999999}, "client"),
        ({"subscriber_is_client": "perhaps"}, "subscriber_is_client"),
    ],
)
def test_bad_coverage_input_answers_400_naming_the_field(world_a, as_a, change, field):
    response = as_a.post("/api/coverages/", coverage_body(world_a, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_coverage_priority_defaults_to_first_like_the_model(world_a, as_a):
    """The schema marks priority optional (the model's default); leaving it out was a 500."""
    client = factories.ClientFactory()
    factories.EnrollmentFactory(client=client, program=world_a.program)
    body = coverage_body(world_a, client=client.pk)
    del body["priority"]
    created = as_a.post("/api/coverages/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["priority"] == 1


def test_overlap_with_the_same_priority_is_refused_on_update_too(world_a, as_a):
    second = as_a.post("/api/coverages/", coverage_body(world_a), format="json").json()
    response = as_a.patch(f"/api/coverages/{second['id']}/", {"priority": 1}, format="json")
    assert response.status_code == 400
    assert "priority" in response.json()


# --- diagnoses ------------------------------------------------------------------------------------


def diagnosis_body(world, **change):
    return {
        "client": world.client.pk,
        "program": world.program.pk,
        "effective_date": "2026-01-01",
        "end_date": None,
        "signed": False,
        "codes": [{"code": "f41.1", "billing_order": 2}, {"code": "F329", "billing_order": 1}],
        **change,
    }


def test_diagnosis_codes_are_normalised_stored_in_billing_order_and_replaced_on_update(world_a, as_a):
    created = as_a.post("/api/diagnoses/", diagnosis_body(world_a), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["codes"] == [{"code": "F32.9", "billing_order": 1}, {"code": "F41.1", "billing_order": 2}]
    url = f"/api/diagnoses/{created.json()['id']}/"
    patched = as_a.patch(url, {"codes": [{"code": "F43.10", "billing_order": 1}], "signed": True}, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()["codes"] == [{"code": "F43.10", "billing_order": 1}]
    assert patched.json()["signed"] is True
    assert patched.json()["signed_at"]
    stored = DiagnosisCode.objects.filter(document_id=created.json()["id"]).values_list("code", flat=True)
    assert list(stored) == ["F43.10"]
    put = as_a.put(url, diagnosis_body(world_a, end_date="2026-12-31"), format="json")
    assert put.status_code == 200
    assert as_a.get(url).json()["end_date"] == "2026-12-31"
    assert as_a.delete(url).status_code == 405


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"codes": "F32.9"}, "codes"),
        ({"codes": {"code": "F32.9"}}, "codes"),
        ({"codes": []}, "codes"),
        ({"codes": [{"code": "F32", "billing_order": 1}]}, "codes"),
        ({"codes": [{"code": "ZZZ.99", "billing_order": 1}]}, "codes"),
        ({"codes": [{"code": "F32.9"}]}, "codes"),
        ({"codes": [{"code": "F32.9", "billing_order": 0}]}, "codes"),
        ({"codes": [{"code": "F32.9", "billing_order": 1}, {"code": "F41.1", "billing_order": 1}]}, "codes"),
        ({"codes": [{"code": "F32.9", "billing_order": 1}, {"code": "f329", "billing_order": 2}]}, "codes"),
        ({"end_date": "2025-12-31"}, "end_date"),
        ({"effective_date": "yesterday"}, "effective_date"),
        ({"program": 999999}, "program"),
        ({"client": 999999}, "client"),
    ],
)
def test_bad_diagnosis_input_answers_400_naming_the_field(world_a, as_a, change, field):
    response = as_a.post("/api/diagnoses/", diagnosis_body(world_a, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_diagnosis_cannot_be_put_in_another_agencys_program(world_a, world_b, as_a):
    response = as_a.post("/api/diagnoses/", diagnosis_body(world_a, program=world_b.program.pk), format="json")
    assert response.status_code == 400
    assert response.json() == {"program": ["Unknown program."]}


# --- authorizations -------------------------------------------------------------------------------


def authorization_body(world, **change):
    return {
        "client": world.client.pk,
        "payer": world.coverage.payer_id,
        "procedure": world.service.procedure_id,
        "tar_number": "TAR-2026-1",
        "start_date": "2026-01-01",
        "end_date": "2026-06-30",
        "quantity": 6,
        "status": "in_progress",
        **change,
    }


def test_authorization_create_read_update(world_a, as_a):
    created = as_a.post("/api/authorizations/", authorization_body(world_a), format="json")
    assert created.status_code == 201, created.json()
    url = f"/api/authorizations/{created.json()['id']}/"
    assert as_a.patch(url, {"status": "approved"}, format="json").json()["status"] == "approved"
    put = as_a.put(url, authorization_body(world_a, quantity=12, status="approved"), format="json")
    assert put.json()["quantity"] == 12
    rows = as_a.get("/api/authorizations/", {"client": world_a.client.pk, "status": "in_progress"}).json()
    assert rows["results"] == []
    rows = as_a.get("/api/authorizations/", {"client": world_a.client.pk, "status": "approved"}).json()
    assert created.json()["id"] in [row["id"] for row in rows["results"]]
    assert as_a.delete(url).status_code == 405


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": "2025-12-31"}, "end_date"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"status": "pending"}, "status"),
        ({"tar_number": ""}, "tar_number"),
        ({"procedure": 999999}, "procedure"),
        ({"payer": "x"}, "payer"),
        ({"start_date": "2026-02-29"}, "start_date"),
    ],
)
def test_bad_authorization_input_answers_400_naming_the_field(world_a, as_a, change, field):
    response = as_a.post("/api/authorizations/", authorization_body(world_a, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()
