"""The write actions that the API and the pages share (actions-contract.md)."""

from __future__ import annotations

import datetime as dt

import pghistory.models
import pytest
from django.core.exceptions import ValidationError

from clients.actions import change_enrollment_status, create_client, create_enrollment
from coverage.actions import create_coverage
from diagnosis.actions import create_diagnosis
from services.actions import ServiceLocked, correct_service, create_service, mark_service_error
from services.models import Service
from tests import factories

pytestmark = pytest.mark.django_db


def test_create_client_encrypts_ssn_and_records_the_acting_user():
    user = factories.SystemAdminFactory()
    client = create_client(
        user=user, first_name="Ana", last_name="Diaz", date_of_birth=dt.date(1990, 1, 2), ssn="123-45-6789"
    )
    assert client.ssn_last4 == "6789"
    assert "123456789" not in client.ssn_encrypted
    assert client.get_ssn() == "123456789"
    event = pghistory.models.Events.objects.filter(pgh_obj_model="clients.Client", pgh_obj_id=client.pk).get()
    assert event.pgh_context["user"] == user.pk


@pytest.mark.parametrize(
    ("field", "value"),
    [("ssn", "12345678"), ("address_state", "California"), ("address_zip", "9210"), ("first_name", " ")],
)
def test_create_client_refuses_bad_values_naming_the_field(field, value):
    fields = {"first_name": "Ana", "last_name": "Diaz", "date_of_birth": dt.date(1990, 1, 2), field: value}
    with pytest.raises(ValidationError) as exc:
        create_client(user=factories.SystemAdminFactory(), **fields)
    assert set(exc.value.message_dict) == {field}
    assert "12345678" not in str(exc.value)


@pytest.mark.parametrize("ssn", ["001-01-0001", "665-99-9999", "667-01-0001", "899-99-9999"])
def test_the_edges_of_the_issued_ssn_ranges_are_accepted(ssn):
    client = create_client(
        user=factories.SystemAdminFactory(),
        first_name="Ana",
        last_name="Diaz",
        date_of_birth=dt.date(1990, 1, 2),
        ssn=ssn,
    )
    assert client.get_ssn() == ssn.replace("-", "")


def test_enrollment_moves_only_along_allowed_transitions():
    program = factories.ProgramFactory()
    user = factories.UserFactory(agency=program.agency)
    client = factories.ClientFactory()
    enrollment = create_enrollment(user=user, client=client, program=program, requested_date=dt.date(2025, 1, 1))
    change_enrollment_status(user=user, enrollment=enrollment, status="discharged", on_date=dt.date(2025, 2, 1))
    with pytest.raises(ValidationError) as exc:
        change_enrollment_status(user=user, enrollment=enrollment, status="enrolled", on_date=dt.date(2025, 3, 1))
    assert "status" in exc.value.message_dict


def test_create_coverage_refuses_an_overlap_with_the_same_priority():
    user = factories.SystemAdminFactory()
    existing = factories.CoverageFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
    with pytest.raises(ValidationError) as exc:
        create_coverage(
            user=user, client=existing.client, payer=existing.payer, priority=1, start_date=dt.date(2025, 6, 1)
        )
    assert "priority" in exc.value.message_dict


def test_create_diagnosis_stores_normalised_billable_codes_in_order():
    user = factories.SystemAdminFactory()
    enrollment = factories.EnrollmentFactory()
    document = create_diagnosis(
        user=user,
        client=enrollment.client,
        program=enrollment.program,
        effective_date=dt.date(2025, 1, 1),
        codes=["f329", "F41.1"],
        signed=True,
    )
    assert [(c.code, c.billing_order) for c in document.codes.all()] == [("F32.9", 1), ("F41.1", 2)]
    assert document.signed_by == user


def test_create_service_refuses_a_clinician_of_another_agency():
    enrollment = factories.EnrollmentFactory()
    with pytest.raises(ValidationError) as exc:
        create_service(
            user=factories.SystemAdminFactory(),
            client=enrollment.client,
            program=enrollment.program,
            procedure=factories.ProcedureFactory(),
            clinician=factories.StaffFactory(),
            location=factories.LocationFactory(),
            start=factories.county_datetime(dt.date(2025, 3, 3)),
            duration_minutes=30,
        )
    assert set(exc.value.message_dict) == {"clinician"}


def test_correcting_a_complete_service_sends_it_back_to_show():
    service = factories.billable_service(
        status=Service.Status.COMPLETE, units=1, rate="100.00", charge="100.00", duration_minutes=30
    )
    correct_service(user=factories.SystemAdminFactory(), service=service, duration_minutes=45)
    service.refresh_from_db()
    assert (service.status, service.duration_minutes, service.charge) == (Service.Status.SHOW, 45, None)


def test_a_claimed_service_cannot_be_put_in_error():
    service = factories.billable_service(
        status=Service.Status.COMPLETE, units=1, rate="100.00", charge="100.00", claimed=True
    )
    with pytest.raises(ServiceLocked):
        mark_service_error(user=factories.SystemAdminFactory(), service=service)
    service.refresh_from_db()
    assert service.status == Service.Status.COMPLETE
