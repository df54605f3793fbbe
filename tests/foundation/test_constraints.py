"""Every named database constraint of the foundation's models refuses the bad data it names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from clients.models import Enrollment
from services.models import Service
from tests import factories

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def _enrollment(**fields: object) -> None:
    factories.EnrollmentFactory(**fields)


def _second_open_enrollment() -> None:
    first = factories.EnrollmentFactory()
    factories.EnrollmentFactory(client=first.client, program=first.program)


def _overlapping_coverage() -> None:
    first = factories.CoverageFactory(start_date=DAY, end_date=None)
    factories.CoverageFactory(client=first.client, priority=1, start_date=DAY + dt.timedelta(days=30))


def _duplicate_code_order() -> None:
    document = factories.DiagnosisDocumentFactory(code=None)
    factories.DiagnosisCodeFactory(document=document, code="F32.9", billing_order=1)
    factories.DiagnosisCodeFactory(document=document, code="F41.1", billing_order=1)


def _duplicate_code() -> None:
    document = factories.DiagnosisDocumentFactory(code=None)
    factories.DiagnosisCodeFactory(document=document, code="F32.9", billing_order=1)
    factories.DiagnosisCodeFactory(document=document, code="F32.9", billing_order=2)


def _duplicate_procedure() -> None:
    factories.ProcedureFactory(code="H0043", modifier="U6")
    factories.ProcedureFactory(code="H0043", modifier="U6")


CASES: list[tuple[str, Callable[[], object]]] = [
    ("user_provider_admin_has_agency", lambda: factories.UserFactory(role=User.Role.PROVIDER_ADMIN, agency=None)),
    ("staff_npi_10_digits", lambda: factories.StaffFactory(npi="12345")),
    ("location_place_of_service_2_digits", lambda: factories.LocationFactory(place_of_service="1A")),
    (
        "enrollment_enrolled_on_or_after_requested",
        lambda: _enrollment(requested_date=DAY, enrolled_date=DAY - dt.timedelta(days=1)),
    ),
    (
        "enrollment_discharged_on_or_after_enrolled",
        lambda: _enrollment(
            status=Enrollment.Status.DISCHARGED,
            requested_date=DAY,
            enrolled_date=DAY,
            discharged_date=DAY - dt.timedelta(days=1),
        ),
    ),
    (
        "enrollment_dates_match_status",
        lambda: _enrollment(status=Enrollment.Status.ENROLLED, requested_date=DAY, enrolled_date=None),
    ),
    ("enrollment_one_open_per_client_program", _second_open_enrollment),
    (
        "coverage_end_on_or_after_start",
        lambda: factories.CoverageFactory(start_date=DAY, end_date=DAY - dt.timedelta(days=1)),
    ),
    ("coverage_priority_positive", lambda: factories.CoverageFactory(priority=0)),
    ("coverage_no_overlap_same_priority", _overlapping_coverage),
    (
        "diagnosis_end_on_or_after_effective",
        lambda: factories.DiagnosisDocumentFactory(effective_date=DAY, end_date=DAY - dt.timedelta(days=1)),
    ),
    ("diagnosis_signed_has_time", lambda: factories.DiagnosisDocumentFactory(signed=True, signed_at=None)),
    ("diagnosis_code_unique_order", _duplicate_code_order),
    ("diagnosis_code_unique_code", _duplicate_code),
    ("diagnosis_code_order_positive", lambda: factories.DiagnosisCodeFactory(billing_order=0)),
    ("procedure_unique_code_modifier", _duplicate_procedure),
    (
        "procedure_limit_limits_something",
        lambda: factories.ProcedureLimitFactory(max_count=None, max_minutes=None, prerequisite_procedure=None),
    ),
    (
        "procedure_limit_prerequisite_with_months",
        lambda: factories.ProcedureLimitFactory(
            prerequisite_procedure=factories.ProcedureFactory(), prerequisite_months=None
        ),
    ),
    ("procedure_limit_count_positive", lambda: factories.ProcedureLimitFactory(max_count=0)),
    ("procedure_limit_minutes_positive", lambda: factories.ProcedureLimitFactory(max_count=None, max_minutes=0)),
    ("rate_end_on_or_after_start", lambda: factories.RateFactory(start_date=DAY, end_date=DAY - dt.timedelta(days=1))),
    ("rate_amount_not_negative", lambda: factories.RateFactory(amount=Decimal("-1.00"))),
    (
        "authorization_end_on_or_after_start",
        lambda: factories.AuthorizationFactory(start_date=DAY, end_date=DAY - dt.timedelta(days=1)),
    ),
    ("authorization_quantity_positive", lambda: factories.AuthorizationFactory(quantity=0)),
    ("service_duration_positive", lambda: factories.ServiceFactory(duration_minutes=0)),
    (
        "service_claimed_only_when_complete",
        lambda: factories.ServiceFactory(status=Service.Status.SHOW, claimed=True),
    ),
    (
        "service_complete_has_charge",
        lambda: factories.ServiceFactory(status=Service.Status.COMPLETE, units=Decimal(1), rate=None, charge=None),
    ),
]


@pytest.mark.parametrize(("constraint", "write"), CASES, ids=[name for name, _ in CASES])
def test_database_constraint_rejects_bad_data(constraint: str, write: Callable[[], object]) -> None:
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        write()
    assert constraint in str(raised.value)


def test_records_that_keep_the_rules_are_accepted() -> None:
    enrollment = factories.EnrollmentFactory(
        status=Enrollment.Status.DISCHARGED, requested_date=DAY, enrolled_date=DAY, discharged_date=DAY
    )
    factories.EnrollmentFactory(client=enrollment.client, program=enrollment.program)  # discharged + one open
    coverage = factories.CoverageFactory(start_date=DAY, end_date=DAY + dt.timedelta(days=29))
    factories.CoverageFactory(client=coverage.client, start_date=DAY + dt.timedelta(days=30))  # adjoining span
    factories.CoverageFactory(client=coverage.client, priority=2, start_date=DAY)  # same span, other priority
    service = factories.ServiceFactory(
        status=Service.Status.COMPLETE, units=Decimal(1), rate=Decimal("10.00"), charge=Decimal("10.00"), claimed=True
    )
    assert Service.objects.filter(pk=service.pk, claimed=True).exists()
