"""`manage.py load_demo`: a realistic, deterministic county with problems spread over every rule."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction

from accounts.models import User
from clients.models import Agency, Client, Program, Staff
from coverage.models import Coverage, Payer
from diagnosis.models import DiagnosisDocument
from nightly.catalogue import CATALOGUE
from nightly.engine import run_validation
from nightly.models import NightlyRun
from services.demo import DEMO_PASSWORD, PLANTED_RULES, DemoSummary, load_demo
from services.models import Authorization, Procedure, Rate, Service

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 18)


def fingerprint() -> list[tuple[object, ...]]:
    """Everything the demo wrote, keyed by natural values (ids differ between loads)."""
    rows: list[tuple[object, ...]] = []
    rows += Client.objects.values_list(
        "first_name", "last_name", "date_of_birth", "ssn_last4", "address_street", "address_zip",
        "billing_address", "financial_info_complete",
    )  # fmt: skip
    rows += Staff.objects.values_list("agency__name", "first_name", "last_name", "credential", "credential_expires")
    rows += Coverage.objects.values_list(
        "client__last_name", "client__date_of_birth", "payer__name", "priority", "start_date", "end_date",
        "insured_id", "subscriber_is_client",
    )  # fmt: skip
    rows += DiagnosisDocument.objects.values_list(
        "client__last_name", "client__date_of_birth", "program__code", "effective_date", "end_date", "signed"
    )
    rows += Authorization.objects.values_list(
        "client__last_name", "procedure__code", "start_date", "end_date", "quantity", "status"
    )
    rows += Service.objects.values_list(
        "client__last_name", "client__date_of_birth", "program__code", "procedure__code", "procedure__modifier",
        "clinician__last_name", "clinician__credential", "location__name", "start", "duration_minutes", "status",
        "note_signed", "delay_reason_code", "units", "rate", "charge", "claimed",
    )  # fmt: skip
    return sorted(rows, key=repr)


def load_then_forget(seed: int, clients: int) -> tuple[DemoSummary, list[tuple[object, ...]]]:
    savepoint = transaction.savepoint()
    summary = load_demo(seed=seed, clients=clients, today=TODAY)
    rows = fingerprint()
    transaction.savepoint_rollback(savepoint)
    return summary, rows


def test_same_seed_gives_the_same_county_and_another_seed_a_different_one() -> None:
    first_summary, first = load_then_forget(seed=11, clients=60)
    _, again = load_then_forget(seed=11, clients=60)
    _, other = load_then_forget(seed=12, clients=60)
    assert len(first) > 1000
    assert first == again
    assert first != other
    assert first_summary.clients == 60


@pytest.fixture
def county() -> DemoSummary:
    return load_demo(seed=7, today=TODAY)


def test_demo_county_has_the_shape_the_issue_asks_for(county: DemoSummary) -> None:
    assert Agency.objects.count() == 3
    assert set(Program.objects.values_list("program_type", flat=True)) == set(Program.ProgramType.values)
    assert 25 <= Staff.objects.count() <= 35
    assert Staff.objects.filter(credential_expires__lt=TODAY).exists()
    assert len(set(Staff.objects.values_list("credential", flat=True))) >= 5
    assert set(Payer.objects.values_list("payer_type", flat=True)) >= {
        "MEDI_CAL",
        "MEDI_CAL_DMC",
        "MEDICARE",
        "MCP",
        "OHC",
    }
    assert Client.objects.count() == 300
    assert 5000 <= Service.objects.count() <= 7500
    seeds = {"G9012", "G9012-U2", "H0043-U6", "H0044-U2", "H0044-U3", "T2040-U6", "T2033-U6", "T2041-U6"}
    assert seeds <= {p.display_code for p in Procedure.objects.all()}
    assert Procedure.objects.filter(billable=False).exists()
    assert Procedure.objects.get(code="H0006").allowed_credentials == ["LPHA", "SUD_CERTIFIED", "SUD_REGISTERED"]
    oldest = Service.objects.order_by("date_of_service").values_list("date_of_service", flat=True).first()
    assert oldest is not None
    assert oldest < dt.date(2025, 11, 1)


def test_older_months_are_partly_complete_and_claimed(county: DemoSummary) -> None:
    older = Service.objects.filter(date_of_service__lt=dt.date(2026, 9, 1))
    assert older.filter(status="complete", claimed=True).count() > 500
    assert older.filter(status="complete", claimed=False).exists()
    assert older.filter(status="show").exists()
    assert not Service.objects.filter(status="complete", charge__isnull=True).exists()
    assert not Service.objects.filter(date_of_service__gte=TODAY).exclude(status="scheduled").exists()


def test_about_fifteen_percent_fail_spread_over_every_rule(county: DemoSummary) -> None:
    assert set(PLANTED_RULES) == {entry.code for entry in CATALOGUE}
    assert all(county.planted[code] >= 5 for code in PLANTED_RULES), county.planted
    assert 0.12 <= county.failing_share <= 0.18
    # Planted problems wait in Show for the nightly run.
    assert Service.objects.filter(status="show").count() >= county.failing_by_design


def test_nightly_engine_finds_exactly_the_planted_problems(county: DemoSummary) -> None:
    """The generator and the engine read DOMAIN.md alike: every planted service fails with its one
    reason, and every other service in Show completes."""
    with time_machine.travel(dt.datetime(2026, 11, 18, 23, 0, tzinfo=dt.UTC), tick=False):
        run = run_validation(as_of=TODAY)
    assert run.status == NightlyRun.Status.SUCCEEDED
    assert run.services_failed == county.failing_by_design
    assert run.failures_by_rule == {code: n for code, n in county.planted.items() if n}
    assert not Service.objects.filter(status="show", failures__isnull=True, date_of_service__lte=TODAY).exists()


def test_demo_users_sign_in_with_the_published_password(county: DemoSummary) -> None:
    users = {u.username: u for u in User.objects.all()}
    assert set(county.users) == {"county", "provider", "provider2", "admin"} == set(users)
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    assert users["county"].role == User.Role.COUNTY_BILLING
    assert users["provider"].role == User.Role.PROVIDER_ADMIN
    assert users["provider"].agency != users["provider2"].agency
    assert users["admin"].is_superuser
    assert users["admin"].role == User.Role.SYSTEM_ADMIN
    # The admin site: county billing for reference data, the system admin for everything, providers never.
    assert {name for name, user in users.items() if user.is_staff} == {"county", "admin"}


def test_command_loads_once_with_if_empty_and_refuses_a_second_full_load() -> None:
    out = io.StringIO()
    call_command("load_demo", "--seed", "3", "--clients", "20", stdout=out)
    assert "20 clients" in out.getvalue()
    assert "Demo-Pass-2025" in out.getvalue()
    count = Service.objects.count()
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "not loaded again" in out.getvalue()
    assert Service.objects.count() == count
    with pytest.raises(CommandError, match="already has clients"):
        call_command("load_demo", "--clients", "20")
    assert Service.objects.count() == count


def test_command_refuses_a_county_too_small_to_hold_every_problem() -> None:
    with pytest.raises(CommandError, match="at least 10"):
        call_command("load_demo", "--clients", "3")
    assert not Client.objects.exists()


def test_demo_reference_data_follows_the_seeds_table(county: DemoSummary) -> None:
    """Issue 11: every ECM and Community Supports code needs a TAR, the deposit rate is a maximum,
    care coordination has 30 transition days; the demo shows a presumptive TAR and a warm hand-off."""
    calaim = {"G9012", "G9012-U2", "H0043-U6", "H0044-U2", "H0044-U3", "T2040-U6", "T2033-U6", "T2041-U6"}
    procedures = {p.display_code: p for p in Procedure.objects.all()}
    assert all(procedures[code].requires_authorization for code in calaim)
    assert list(
        Rate.objects.filter(procedure__code="H0044", procedure__modifier="U2").values_list("is_maximum", "amount")
    ) == [(True, Decimal("5000.00"))]
    assert procedures["H0006"].transition_days == 30
    assert Authorization.objects.filter(presumptive=True, tar_number="", status="approved").exists()
    assert all(p.payer_id for p in Payer.objects.all())
    with time_machine.travel(dt.datetime(2026, 11, 18, 23, 0, tzinfo=dt.UTC), tick=False):
        run_validation(as_of=TODAY)
    deposits = Service.objects.filter(procedure__code="H0044", procedure__modifier="U2", status="complete")
    assert deposits.exists()
    assert all(d.charge == d.billed_amount and d.units == 1 for d in deposits)
    # A care coordination service after its enrollment's discharge (transition care) completes.
    handoffs = [
        s
        for s in Service.objects.filter(procedure__code="H0006", status="complete").select_related("client")
        if s.client.enrollments.filter(
            program=s.program,
            discharged_date__lt=s.date_of_service,
            discharged_date__gte=s.date_of_service - dt.timedelta(days=30),
        ).exists()
    ]
    assert handoffs
    ecm = Service.objects.filter(program__program_type="ECM", status="complete", procedure__billable=True)
    assert ecm.exists()
    assert set(ecm.values_list("billed_payer__payer_type", flat=True)) == {"MCP"}
