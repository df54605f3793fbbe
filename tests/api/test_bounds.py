"""Domain bounds (issue 9, item 1, entry): every number and date a user can type is bounded in the API
(a 400 naming the field) and in the database (a named CHECK), from the one definition in common.bounds.

The poison row of the issue (a service of 2,147,483,647 minutes) is refused, and the night runs.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common import bounds
from nightly.engine import run_validation
from nightly.models import NightlyRun
from services.models import Service
from tests import factories

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 21)


@pytest.mark.parametrize("minutes", [2_147_483_647, 20_000_000, bounds.DURATION_MAX + 1])
def test_the_poison_duration_is_a_400_naming_the_field_and_the_next_run_succeeds(world_a, as_a, minutes):
    service = world_a.service
    response = as_a.patch(f"/api/services/{service.pk}/", {"duration_minutes": minutes}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["duration_minutes"]
    service.refresh_from_db()
    assert service.duration_minutes == 60
    run = run_validation(as_of=AS_OF)
    assert run.status == NightlyRun.Status.SUCCEEDED
    service.refresh_from_db()
    assert service.status == Service.Status.COMPLETE


def test_the_longest_service_is_accepted(world_a, as_a):
    service = world_a.service
    response = as_a.patch(f"/api/services/{service.pk}/", {"duration_minutes": bounds.DURATION_MAX}, format="json")
    assert response.status_code == 200, response.json()


def _future(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# (route, record of world A, field, bad value); reference data is written by the system admin.
BAD_VALUES = [
    ("clients", "client", "date_of_birth", "1899-12-31"),
    ("clients", "client", "date_of_birth", "2100-01-01"),
    ("clients", "client", "date_of_birth", "tomorrow"),
    ("coverages", "coverage", "priority", 100),
    ("coverages", "coverage", "start_date", "1899-12-31"),
    ("coverages", "coverage", "end_date", "2100-01-01"),
    ("diagnoses", "diagnosis", "effective_date", "1899-12-31"),
    ("diagnoses", "diagnosis", "end_date", "2100-01-01"),
    ("authorizations", "authorization", "quantity", bounds.COUNT_MAX + 1),
    ("authorizations", "authorization", "end_date", "2100-01-01"),
    ("services", "service", "start", "2100-01-01T10:00:00-08:00"),
    ("services", "service", "start", "1899-12-31T10:00:00-08:00"),
    ("services", "service", "start", "years-ahead"),
    ("rates", "rate", "amount", "1000000.00"),
    ("rates", "rate", "start_date", "1899-12-31"),
    ("procedure-limits", "limit", "max_count", bounds.COUNT_MAX + 1),
    ("procedure-limits", "limit", "max_minutes", 2_147_483_647),
    ("procedure-limits", "limit", "prerequisite_months", bounds.MONTHS_MAX + 1),
    ("staff", "clinician", "credential_expires", "2100-01-01"),
]


@pytest.mark.parametrize(("route", "record", "field", "value"), BAD_VALUES)
def test_a_value_out_of_its_bounds_is_a_400_naming_the_field(world_a, as_a, as_admin, route, record, field, value):
    if value == "tomorrow":
        value = _future(1)
    if value == "years-ahead":
        value = f"{_future(366 * bounds.START_MAX_YEARS_AHEAD + 2)}T10:00:00-08:00"
    records = {
        "client": world_a.client,
        "coverage": world_a.coverage,
        "diagnosis": world_a.diagnosis,
        "authorization": world_a.authorization,
        "service": world_a.service,
        "rate": world_a.service.procedure.rates.get(),
        "limit": factories.ProcedureLimitFactory(procedure=world_a.service.procedure),
        "clinician": world_a.clinician,
    }
    api = as_admin if route in {"rates", "procedure-limits", "staff"} else as_a
    response = api.patch(f"/api/{route}/{records[record].pk}/", {field: value}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()


# (table, column, value, constraint): a row forced past entry straight in SQL is refused.
FORCED_ROWS = [
    ("services_service", "duration_minutes", "2147483647", "service_duration_bounds"),
    ("services_service", "duration_minutes", "44641", "service_duration_bounds"),
    ("services_service", "start", "'2100-01-01T10:00:00Z'", "service_start_bounds"),
    ("clients_client", "date_of_birth", "'1899-12-31'", "client_date_of_birth_bounds"),
    ("clients_enrollment", "requested_date", "'1899-12-31'", "enrollment_requested_date_bounds"),
    ("clients_staff", "credential_expires", "'2100-01-01'", "staff_credential_expires_bounds"),
    ("coverage_coverage", "priority", "100", "coverage_priority_bounds"),
    ("diagnosis_diagnosisdocument", "effective_date", "'1899-12-31'", "diagnosis_effective_date_bounds"),
    ("services_authorization", "quantity", "1000001", "authorization_quantity_bounds"),
    ("services_rate", "amount", "1000000", "rate_amount_bounds"),
]


@pytest.mark.parametrize(("table", "column", "value", "constraint"), FORCED_ROWS)
def test_a_row_forced_past_entry_in_sql_is_refused_by_its_constraint(world_a, table, column, value, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {value}")  # noqa: S608 (fixed test values)
