"""Issue 11 in the API (API.md, Additions v1.1): every new field with its default, read back and in
the schema, and each entry guardrail answering 400 naming the field, with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from clients.models import Agency, Client, Program, Staff
from coverage.models import Coverage, Payer
from services.models import Authorization, Procedure, Rate, Service
from tests import factories
from tests.api.conftest import client_for
from tests.api.test_services import service_body

pytestmark = pytest.mark.django_db

VALID_NPI = "1234567893"  # CMS's example NPI


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 4, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


# --- reference data: the new fields and their defaults ---------------------------------------------


def test_agency_npi_tax_id_and_street_default_blank_and_are_written(as_county):
    created = as_county.post("/api/agencies/", {"name": "North County"}, format="json")
    assert created.status_code == 201, created.json()
    assert {k: created.json()[k] for k in ("npi", "tax_id", "address_street")} == {
        "npi": "",
        "tax_id": "",
        "address_street": "",
    }
    changed = as_county.patch(
        f"/api/agencies/{created.json()['id']}/",
        {"npi": VALID_NPI, "tax_id": "12-3456789", "address_street": "1 Harbor Dr"},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    agency = Agency.objects.get(pk=created.json()["id"])
    assert (agency.npi, agency.tax_id, agency.address_street) == (VALID_NPI, "12-3456789", "1 Harbor Dr")


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("agencies", {"name": "X", "npi": "1234567890"}, "npi"),  # bad check digit
        ("agencies", {"name": "X", "npi": "123456789"}, "npi"),
        ("agencies", {"name": "X", "tax_id": "12-34"}, "tax_id"),
        ("payers", {"name": "X", "payer_type": "MCP", "timely_filing_months": 0}, "timely_filing_months"),
        ("payers", {"name": "X", "payer_type": "MCP", "timely_filing_months": 121}, "timely_filing_months"),
        ("procedures", {"code": "T1017", "modifier": "", "name": "X", "transition_days": -1}, "transition_days"),
        ("programs", {"name": "X", "code": "X1", "program_type": "SUD", "procedures": [999999]}, "procedures"),
    ],
)
def test_bad_reference_data_answers_400_naming_the_field(as_county, route, body, field):
    if route == "programs":
        body["agency"] = factories.AgencyFactory().pk
    response = as_county.post(f"/api/{route}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_staff_npi_needs_a_valid_check_digit_and_blank_stays_allowed(as_county):
    agency = factories.AgencyFactory()
    body = {"agency": agency.pk, "first_name": "Lee", "last_name": "Park", "credential": "LPHA"}
    bad = as_county.post("/api/staff/", {**body, "npi": "1234567890"}, format="json")
    assert bad.status_code == 400
    assert "npi" in bad.json()
    assert not Staff.objects.filter(last_name="Park").exists()
    assert as_county.post("/api/staff/", {**body, "npi": ""}, format="json").status_code == 201
    assert as_county.post("/api/staff/", {**body, "npi": VALID_NPI}, format="json").status_code == 201


def test_payer_id_and_timely_filing_months_default_and_are_written(as_county):
    created = as_county.post("/api/payers/", {"name": "Partnership", "payer_type": "MCP"}, format="json")
    assert created.status_code == 201
    assert (created.json()["payer_id"], created.json()["timely_filing_months"]) == ("", 12)
    changed = as_county.patch(
        f"/api/payers/{created.json()['id']}/", {"payer_id": "PHC01", "timely_filing_months": 6}, format="json"
    )
    assert changed.status_code == 200
    payer = Payer.objects.get(pk=created.json()["id"])
    assert (payer.payer_id, payer.timely_filing_months) == ("PHC01", 6)


def test_procedure_transition_days_and_rate_is_maximum_default_and_are_written(as_county):
    created = as_county.post(
        "/api/procedures/", {"code": "T1017", "modifier": "", "name": "Care coordination"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["transition_days"] == 0
    as_county.patch(f"/api/procedures/{created.json()['id']}/", {"transition_days": 30}, format="json")
    assert Procedure.objects.get(pk=created.json()["id"]).transition_days == 30

    body = {"procedure": created.json()["id"], "start_date": "2025-07-01", "amount": "5000.00"}
    rate = as_county.post("/api/rates/", body, format="json")
    assert rate.status_code == 201
    assert rate.json()["is_maximum"] is False
    maximum = as_county.post("/api/rates/", {**body, "is_maximum": True}, format="json")
    assert Rate.objects.get(pk=maximum.json()["id"]).is_maximum is True


def test_program_procedures_default_empty_and_are_written(as_county):
    agency = factories.AgencyFactory()
    offered = [factories.ProcedureFactory().pk, factories.ProcedureFactory().pk]
    body = {"agency": agency.pk, "name": "Recovery", "code": "SUD9", "program_type": "SUD"}
    created = as_county.post("/api/programs/", body, format="json")
    assert created.status_code == 201
    assert created.json()["procedures"] == []
    changed = as_county.patch(f"/api/programs/{created.json()['id']}/", {"procedures": offered}, format="json")
    assert changed.status_code == 200
    assert sorted(changed.json()["procedures"]) == sorted(offered)
    program = Program.objects.get(pk=created.json()["id"])
    assert sorted(program.procedures.values_list("pk", flat=True)) == sorted(offered)  # type: ignore[attr-defined]
    listed = as_county.get("/api/programs/", {"agency": agency.pk}).json()["results"]
    assert sorted(listed[0]["procedures"]) == sorted(offered)
    cleared = as_county.patch(f"/api/programs/{created.json()['id']}/", {"procedures": []}, format="json")
    assert cleared.json()["procedures"] == []


# --- client records -------------------------------------------------------------------------------


def coverage_body(world, payer, **change):
    return {
        "client": world.client.pk,
        "payer": payer.pk,
        "priority": 2,
        "start_date": "2026-01-01",
        "insured_id": "",
        **change,
    }


@pytest.mark.parametrize("payer_type", ["MEDI_CAL", "MEDI_CAL_DMC", "MCP"])
@pytest.mark.parametrize("insured_id", ["9123456A", "912345678", "91234567AB", "A91234567", "9123-4567A"])
def test_an_insured_id_not_shaped_like_a_cin_answers_400_on_medi_cal_and_plans(world_a, as_a, payer_type, insured_id):
    payer = factories.PayerFactory(name=payer_type, payer_type=payer_type)
    response = as_a.post("/api/coverages/", coverage_body(world_a, payer, insured_id=insured_id), format="json")
    assert response.status_code == 400
    assert "insured_id" in response.json()
    assert Coverage.objects.filter(client=world_a.client).count() == 1


@pytest.mark.parametrize(
    ("payer_type", "insured_id", "stored"),
    [
        ("MCP", "91234567A", "91234567A"),
        ("MEDI_CAL", "91234567a", "91234567A"),  # the letter upper-cased
        ("MEDI_CAL_DMC", "", ""),  # blank stays allowed: INSURED_ID_MISSING reports it at night
        ("OHC", "XYZ-123", "XYZ-123"),  # other payers' member ids have no common shape
    ],
)
def test_a_cin_shaped_or_blank_insured_id_is_accepted(world_a, as_a, payer_type, insured_id, stored):
    payer = factories.PayerFactory(name=payer_type, payer_type=payer_type)
    response = as_a.post("/api/coverages/", coverage_body(world_a, payer, insured_id=insured_id), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["insured_id"] == stored


def test_changing_a_coverages_insured_id_is_checked_too(world_a, as_a):
    response = as_a.patch(f"/api/coverages/{world_a.coverage.pk}/", {"insured_id": "12345"}, format="json")
    assert response.status_code == 400
    assert "insured_id" in response.json()


def authorization_body(world, **change):
    return {
        "client": world.client.pk,
        "payer": world.coverage.payer_id,
        "procedure": world.service.procedure_id,
        "start_date": "2026-01-01",
        "end_date": "2026-06-30",
        "quantity": 6,
        **change,
    }


def test_a_presumptive_authorization_needs_no_tar_number_and_is_approved(world_a, as_a):
    response = as_a.post("/api/authorizations/", authorization_body(world_a, presumptive=True), format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["presumptive"], response.json()["status"], response.json()["tar_number"]) == (
        True,
        "approved",
        "",
    )


def test_an_authorization_without_tar_number_that_is_not_presumptive_answers_400(world_a, as_a):
    before = Authorization.objects.count()
    response = as_a.post("/api/authorizations/", authorization_body(world_a), format="json")
    assert response.status_code == 400
    assert "tar_number" in response.json()
    assert Authorization.objects.count() == before
    default = as_a.post("/api/authorizations/", authorization_body(world_a, tar_number="T1"), format="json")
    assert (default.json()["presumptive"], default.json()["status"]) == (False, "in_progress")


def test_client_external_id_is_unique_per_agency(world_a, world_b, as_a):
    set_a = as_a.patch(f"/api/clients/{world_a.client.pk}/", {"external_id": "EHR-1"}, format="json")
    assert set_a.status_code == 200
    assert set_a.json()["external_id"] == "EHR-1"
    other = factories.ClientFactory()
    factories.EnrollmentFactory(client=other, program=world_a.program)
    taken = as_a.patch(f"/api/clients/{other.pk}/", {"external_id": "EHR-1"}, format="json")
    assert taken.status_code == 400
    assert "external_id" in taken.json()
    # Another agency's EHR may use the same id for its own client.
    as_b = client_for(world_b.admin)
    assert as_b.patch(f"/api/clients/{world_b.client.pk}/", {"external_id": "EHR-1"}, format="json").status_code == 200
    assert Client.objects.filter(external_id="EHR-1").count() == 2


def test_a_new_client_defaults_to_no_external_id(as_a):
    body = {"first_name": "Ana", "last_name": "Reyes", "date_of_birth": "1990-02-03"}
    created = as_a.post("/api/clients/", body, format="json")
    assert created.status_code == 201
    assert created.json()["external_id"] is None
    with_id = as_a.post("/api/clients/", {**body, "last_name": "Ruiz", "external_id": "EHR-9"}, format="json")
    assert with_id.json()["external_id"] == "EHR-9"


def test_a_system_admin_sets_a_client_external_id_for_the_agency_of_its_first_program(world_a, as_admin):
    response = as_admin.patch(f"/api/clients/{world_a.client.pk}/", {"external_id": "A-77"}, format="json")
    assert response.status_code == 200
    assert Client.objects.get(pk=world_a.client.pk).external_id_agency == world_a.agency
    loose = as_admin.post(
        "/api/clients/",
        {"first_name": "No", "last_name": "Program", "date_of_birth": "1990-02-03", "external_id": "A-78"},
        format="json",
    )
    assert loose.status_code == 400
    assert "external_id" in loose.json()


# --- services -------------------------------------------------------------------------------------


def test_a_service_defaults_and_read_only_billed_payer(world_a, as_a):
    created = as_a.post("/api/services/", service_body(world_a, billed_payer=world_a.coverage.payer_id), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["billed_amount"], body["external_id"], body["billed_payer"]) == (None, None, None)


def test_a_service_takes_a_billed_amount_and_an_external_id(world_a, as_a):
    created = as_a.post(
        "/api/services/", service_body(world_a, billed_amount="1250.00", external_id="S-1"), format="json"
    )
    assert created.status_code == 201
    assert (created.json()["billed_amount"], created.json()["external_id"]) == ("1250.00", "S-1")
    again = as_a.post("/api/services/", service_body(world_a, external_id="S-1", duration_minutes=20), format="json")
    assert again.status_code == 400
    assert "external_id" in again.json()
    corrected = as_a.patch(f"/api/services/{created.json()['id']}/", {"billed_amount": "980.00"}, format="json")
    assert corrected.status_code == 200
    assert Service.objects.get(pk=created.json()["id"]).billed_amount == 980


def test_a_completed_service_reads_back_its_billed_payer(world_a, as_a):
    Service.objects.filter(pk=world_a.service.pk).update(
        status="complete", units=1, rate=100, charge=100, billed_payer=world_a.coverage.payer
    )
    body = as_a.get(f"/api/services/{world_a.service.pk}/").json()
    assert body["billed_payer"] == world_a.coverage.payer_id


@pytest.mark.parametrize("code", ["1", "9", "10", "11", "15", "03", ""])
def test_delay_reason_codes_of_the_x12_list_are_accepted(world_a, as_a, code):
    response = as_a.post("/api/services/", service_body(world_a, delay_reason_code=code), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["delay_reason_code"] == code.lstrip("0")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"delay_reason_code": "0"}, "delay_reason_code"),
        ({"delay_reason_code": "12"}, "delay_reason_code"),
        ({"delay_reason_code": "14"}, "delay_reason_code"),
        ({"delay_reason_code": "16"}, "delay_reason_code"),
        ({"delay_reason_code": "A"}, "delay_reason_code"),
        ({"billed_amount": "-1.00"}, "billed_amount"),
        ({"billed_amount": "1.234"}, "billed_amount"),
        ({"billed_amount": "abc"}, "billed_amount"),
    ],
)
def test_bad_new_service_input_answers_400_naming_the_field(world_a, as_a, change, field):
    response = as_a.post("/api/services/", service_body(world_a, **change), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Service.objects.exclude(pk=world_a.service.pk).exists()


def test_a_correction_to_a_code_off_the_list_answers_400(world_a, as_a):
    response = as_a.patch(f"/api/services/{world_a.service.pk}/", {"delay_reason_code": "13"}, format="json")
    assert response.status_code == 400
    assert "delay_reason_code" in response.json()


def test_a_program_listing_procedures_takes_only_those(world_a, as_a):
    offered = factories.ProcedureFactory()
    world_a.program.procedures.add(offered)  # type: ignore[attr-defined]
    refused = as_a.post("/api/services/", service_body(world_a), format="json")
    assert refused.status_code == 400
    assert "procedure" in refused.json()
    accepted = as_a.post("/api/services/", service_body(world_a, procedure=offered.pk), format="json")
    assert accepted.status_code == 201
    corrected = as_a.patch(
        f"/api/services/{accepted.json()['id']}/", {"procedure": world_a.service.procedure_id}, format="json"
    )
    assert corrected.status_code == 400
    assert "procedure" in corrected.json()


def test_a_program_listing_no_procedures_takes_any(world_a, as_a):
    response = as_a.post(
        "/api/services/", service_body(world_a, procedure=factories.ProcedureFactory().pk), format="json"
    )
    assert response.status_code == 201
