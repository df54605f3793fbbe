"""Issue 11 through the engine: billed coverage and `billed_payer`, maximum rates and the billed
amount, timely filing per plan. (Each rule's pass/fail boundaries are in test_rules.py's CASES.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clients.models import Program
from coverage.models import Payer
from services import actions
from services.models import Procedure, Service
from tests import factories as f
from tests.nightly.conftest import DOS, reasons

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return f.county_datetime(day, hour)


def client_with_medi_cal_and_plan(medi_cal_months: int = 12, plan_months: int = 12):
    """Medi-Cal first (priority 1), the managed care plan second (priority 2)."""
    client = f.ClientFactory()
    medi_cal = f.PayerFactory(name="Medi-Cal", timely_filing_months=medi_cal_months)
    plan = f.PayerFactory(name="Partnership", payer_type=Payer.PayerType.MCP, timely_filing_months=plan_months)
    f.CoverageFactory(client=client, payer=medi_cal, priority=1)
    f.CoverageFactory(client=client, payer=plan, priority=2)
    return client, medi_cal, plan


@pytest.mark.parametrize("program_type", [Program.ProgramType.ECM, Program.ProgramType.CS])
def test_ecm_and_cs_bill_the_managed_care_plan_over_a_lower_priority_number_medi_cal(validate, program_type):
    client, medi_cal, plan = client_with_medi_cal_and_plan()
    procedure = f.ProcedureFactory()
    f.RateFactory(procedure=procedure, payer=medi_cal, amount=Decimal("10.00"))
    f.RateFactory(procedure=procedure, payer=plan, amount=Decimal("350.00"))
    service = f.billable_service(
        client=client, procedure=procedure, program=f.ProgramFactory(program_type=program_type)
    )
    validate()
    service.refresh_from_db()
    assert reasons(service) == set()
    assert (service.status, service.rate, service.charge) == (
        Service.Status.COMPLETE,
        Decimal("350.00"),
        Decimal("350.00"),
    )
    assert service.billed_payer == plan


def test_other_programs_bill_the_lowest_priority_number_in_effect(validate):
    client, medi_cal, plan = client_with_medi_cal_and_plan()
    procedure = f.ProcedureFactory()
    f.RateFactory(procedure=procedure, payer=medi_cal, amount=Decimal("10.00"))
    f.RateFactory(procedure=procedure, payer=plan, amount=Decimal("350.00"))
    service = f.billable_service(client=client, procedure=procedure, program=f.ProgramFactory())
    validate()
    service.refresh_from_db()
    assert (service.rate, service.billed_payer) == (Decimal("10.00"), medi_cal)


def test_an_ecm_service_without_a_plan_has_no_billed_payer_and_only_payerless_rates_match(validate):
    client = f.ClientFactory()
    medi_cal = f.PayerFactory()
    f.CoverageFactory(client=client, payer=medi_cal)
    procedure = f.ProcedureFactory()
    f.RateFactory(procedure=procedure, payer=medi_cal, amount=Decimal("10.00"))
    service = f.billable_service(client=client, procedure=procedure, program=f.ProgramFactory(program_type="ECM"))
    validate()
    assert reasons(service) == {"MCP_ENROLLMENT_REQUIRED", "NO_MATCHING_RATE"}


def test_a_non_billable_service_completes_with_no_billed_payer(validate):
    service = f.billable_service(procedure=f.ProcedureFactory(billable=False))
    validate()
    service.refresh_from_db()
    assert (service.status, service.charge, service.billed_payer) == (Service.Status.COMPLETE, Decimal("0"), None)


def test_correcting_a_complete_service_clears_its_billed_payer(validate):
    service = f.billable_service()
    validate()
    service.refresh_from_db()
    assert service.billed_payer is not None
    user = f.UserFactory(agency=service.program.agency)
    actions.correct_service(user=user, service=service, duration_minutes=45)
    service.refresh_from_db()
    assert (service.status, service.billed_payer, service.charge) == (Service.Status.SHOW, None, None)


@pytest.mark.parametrize("unit", [Procedure.Unit.SERVICE, Procedure.Unit.DAY, Procedure.Unit.MINUTE])
def test_under_a_maximum_rate_the_charge_is_the_billed_amount_one_unit(validate, unit):
    procedure = f.ProcedureFactory(code="H0044", modifier="U2", unit=unit)
    f.RateFactory(procedure=procedure, amount=Decimal("5000.00"), is_maximum=True)
    service = f.billable_service(procedure=procedure, billed_amount=Decimal("1234.56"), duration_minutes=3 * 24 * 60)
    validate()
    service.refresh_from_db()
    assert reasons(service) == set()
    assert (service.units, service.rate, service.charge) == (1, Decimal("1234.56"), Decimal("1234.56"))


def test_a_billed_amount_under_a_plain_rate_changes_nothing(validate):
    procedure = f.ProcedureFactory()
    f.RateFactory(procedure=procedure, amount=Decimal("386.00"))
    service = f.billable_service(procedure=procedure, billed_amount=Decimal("20.00"))
    validate()
    service.refresh_from_db()
    assert (service.units, service.rate, service.charge) == (1, Decimal("386.00"), Decimal("386.00"))


@pytest.mark.parametrize(("run_date", "fails"), [(dt.date(2026, 10, 31), False), (dt.date(2026, 11, 1), True)])
def test_a_plan_with_6_timely_filing_months_ends_on_the_last_day_of_the_sixth_month(validate, run_date, fails):
    client = f.ClientFactory()
    f.CoverageFactory(client=client, payer=f.PayerFactory(name="Six", payer_type="MCP", timely_filing_months=6))
    service = f.billable_service(client=client, start=at(dt.date(2026, 4, 15)))
    validate(as_of=run_date)
    assert ("TIMELY_FILING_LIMIT" in reasons(service)) is fails


@pytest.mark.parametrize(("program_type", "fails"), [("ECM", True), ("MH", False)])
def test_timely_filing_uses_the_billed_payers_months(validate, program_type, fails):
    # Medi-Cal 12 months is first; the plan (6 months) is billed only by the ECM program.
    client, _, _ = client_with_medi_cal_and_plan(medi_cal_months=12, plan_months=6)
    service = f.billable_service(
        client=client, start=at(dt.date(2026, 4, 15)), program=f.ProgramFactory(program_type=program_type)
    )
    validate(as_of=dt.date(2026, 11, 1))
    assert ("TIMELY_FILING_LIMIT" in reasons(service)) is fails


def test_timely_filing_is_12_months_without_billed_coverage(validate):
    # An ECM service whose client has only a 6-month Medi-Cal plan: no billed coverage, so 12 months.
    client = f.ClientFactory()
    f.CoverageFactory(client=client, payer=f.PayerFactory(name="Short", timely_filing_months=6))
    service = f.billable_service(
        client=client, start=at(dt.date(2025, 12, 15)), program=f.ProgramFactory(program_type="ECM")
    )
    validate(as_of=dt.date(2026, 11, 21))  # 6 months would have ended 2026-06-30; 12 end 2026-12-31
    assert "TIMELY_FILING_LIMIT" not in reasons(service)
    assert "MCP_ENROLLMENT_REQUIRED" in reasons(service)


def test_the_dos_fixture_date_is_the_factories_default():
    assert f.ServiceFactory.start.function().date() == DOS  # type: ignore[attr-defined]
