"""Every rule of the catalogue fails and passes where DOMAIN.md says, boundaries included."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from clients.models import Enrollment, Program, Staff
from coverage.models import Coverage, Payer
from diagnosis.models import DiagnosisDocument
from services.models import Procedure, ProcedureLimit, Rate, Service
from tests import factories as f
from tests.nightly.conftest import AS_OF, DOS, reasons

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return f.county_datetime(day, hour, minute)


# --- one builder per case: returns the service whose reasons are asserted -------------------------


def financial_incomplete():
    return f.billable_service(client=f.ClientFactory(financial_info_complete=False))


def dx_in_other_program_only():
    client = f.ClientFactory()
    f.DiagnosisDocumentFactory(client=client)  # another program
    service = f.billable_service(client=client)
    DiagnosisDocument.objects.filter(client=client, program=service.program).delete()
    return service


def dx_effective(day: dt.date, end: dt.date | None = None, signed: bool = True) -> Callable[[], Service]:
    def build():
        client, program = f.ClientFactory(), f.ProgramFactory()
        f.DiagnosisDocumentFactory(client=client, program=program, effective_date=day, end_date=end, signed=signed)
        return f.billable_service(client=client, program=program)

    return build


def dx_two_documents_with_gap():
    client, program = f.ClientFactory(), f.ProgramFactory()
    f.DiagnosisDocumentFactory(
        client=client, program=program, effective_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 9, 30)
    )
    f.DiagnosisDocumentFactory(client=client, program=program, effective_date=dt.date(2026, 10, 6))
    return f.billable_service(client=client, program=program)


def dx_unsigned_and_signed_covering():
    client, program = f.ClientFactory(), f.ProgramFactory()
    f.DiagnosisDocumentFactory(client=client, program=program, signed=False, signed_at=None)
    f.DiagnosisDocumentFactory(client=client, program=program, effective_date=dt.date(2026, 1, 1))
    return f.billable_service(client=client, program=program)


def note(signed: bool, requires: bool) -> Callable[[], Service]:
    return lambda: f.billable_service(note_signed=signed, procedure=f.ProcedureFactory(requires_note=requires))


def enrolled(enrolled_date: dt.date, discharged: dt.date | None = None, status=None) -> Callable[[], Service]:
    def build():
        client, program = f.ClientFactory(), f.ProgramFactory()
        f.EnrollmentFactory(
            client=client,
            program=program,
            requested_date=min(enrolled_date, dt.date(2020, 1, 1)),
            enrolled_date=enrolled_date,
            discharged_date=discharged,
            status=status or (Enrollment.Status.DISCHARGED if discharged else Enrollment.Status.ENROLLED),
        )
        return f.billable_service(client=client, program=program)

    return build


def only_requested_enrollment():
    client, program = f.ClientFactory(), f.ProgramFactory()
    f.EnrollmentFactory(
        client=client,
        program=program,
        status=Enrollment.Status.REQUESTED,
        requested_date=dt.date(2026, 1, 1),
        enrolled_date=None,
    )
    return f.billable_service(client=client, program=program)


def coverage(**kwargs) -> Callable[[], Service]:
    def build():
        client = f.ClientFactory()
        f.CoverageFactory(client=client, **kwargs)
        return f.billable_service(client=client)

    return build


def subscriber(payer_type: str) -> Callable[[], Service]:
    def build():
        client = f.ClientFactory()
        f.CoverageFactory(
            client=client, subscriber_is_client=False, payer=f.PayerFactory(name=payer_type, payer_type=payer_type)
        )
        return f.billable_service(client=client)

    return build


def address(**kwargs) -> Callable[[], Service]:
    return lambda: f.billable_service(client=f.ClientFactory(**kwargs))


def credentialed(credential: str, expires: dt.date | None = None, allowed=("LPHA", "SUD_CERTIFIED", "SUD_REGISTERED")):
    def build():
        program = f.ProgramFactory()
        clinician = f.StaffFactory(agency=program.agency, credential=credential, credential_expires=expires)
        procedure = f.ProcedureFactory(allowed_credentials=list(allowed))
        return f.billable_service(program=program, clinician=clinician, procedure=procedure)

    return build


def rate(program_match: bool, start: dt.date = dt.date(2020, 1, 1), end: dt.date | None = None):
    def build():
        program, procedure = f.ProgramFactory(), f.ProcedureFactory()
        f.RateFactory(
            procedure=procedure,
            program=program if program_match else f.ProgramFactory(),
            start_date=start,
            end_date=end,
        )
        return f.billable_service(program=program, procedure=procedure)

    return build


def minutes(duration: int) -> Callable[[], Service]:
    return lambda: f.billable_service(
        procedure=f.ProcedureFactory(unit=Procedure.Unit.MINUTE), duration_minutes=duration
    )


def authorization(**kwargs) -> Callable[[], Service]:
    def build():
        client, procedure = f.ClientFactory(), f.ProcedureFactory(requires_authorization=True)
        if kwargs:
            f.AuthorizationFactory(client=client, procedure=procedure, **kwargs)
        return f.billable_service(client=client, procedure=procedure)

    return build


def series(
    starts: list[dt.datetime], limit: dict | None = None, proc: dict | None = None, **svc
) -> Callable[[], Service]:
    """Services of one client and procedure at `starts`; returns the last one."""

    def build():
        client, program = f.ClientFactory(), f.ProgramFactory()
        procedure = f.ProcedureFactory(**(proc or {}))
        if limit is not None:
            f.ProcedureLimitFactory(procedure=procedure, **limit)
        services = [
            f.billable_service(client=client, program=program, procedure=procedure, start=s, **svc) for s in starts
        ]
        return services[-1]

    return build


def authorized_series(quantity: int, count: int) -> Callable[[], Service]:
    def build():
        client, program = f.ClientFactory(), f.ProgramFactory()
        procedure = f.ProcedureFactory(requires_authorization=True)
        f.AuthorizationFactory(client=client, procedure=procedure, quantity=quantity)
        services = [
            f.billable_service(
                client=client, program=program, procedure=procedure, start=at(DOS - dt.timedelta(days=n))
            )
            for n in range(count, 0, -1)
        ]
        return services[-1]

    return build


def ecm(payer_type: str | None) -> Callable[[], Service]:
    def build():
        client = f.ClientFactory()
        f.CoverageFactory(client=client)
        if payer_type:
            f.CoverageFactory(client=client, priority=2, payer=f.PayerFactory(name="Plan", payer_type=payer_type))
        return f.billable_service(client=client, program=f.ProgramFactory(program_type=Program.ProgramType.ECM))

    return build


def prerequisite(prior_months: list[dt.date]) -> Callable[[], Service]:
    def build():
        client, program = f.ClientFactory(), f.ProgramFactory(program_type=Program.ProgramType.CS)
        f.CoverageFactory(client=client, payer=f.PayerFactory(name="Plan", payer_type=Payer.PayerType.MCP))
        navigation = f.ProcedureFactory(code="H0043", modifier="U6")
        deposit = f.ProcedureFactory(code="H0044", modifier="U2")
        f.ProcedureLimitFactory(
            procedure=deposit, max_count=None, prerequisite_procedure=navigation, prerequisite_months=2
        )
        for day in prior_months:
            f.billable_service(client=client, program=program, procedure=navigation, start=at(day))
        return f.billable_service(client=client, program=program, procedure=deposit)

    return build


def duplicate(later: bool) -> Callable[[], Service]:
    def build():
        first = f.billable_service()
        second = f.billable_service(
            client=first.client, program=first.program, procedure=first.procedure, clinician=first.clinician
        )
        return second if later else first

    return build


def filed(dos: dt.date, delay: str = "") -> Callable[[], Service]:
    return lambda: f.billable_service(start=at(dos), delay_reason_code=delay)


def homeless(city: str = "San Diego", state: str = "CA", zip_code: str = "92101") -> Callable[[], Service]:
    """A HOMELESS client whose own city, state and zip lines are as given; the agency's are complete."""

    def build():
        client = f.ClientFactory(
            address_street="HOMELESS", address_city=city, address_state=state, address_zip=zip_code
        )
        return f.billable_service(client=client)

    return build


def transition(
    days: int, requested: dt.date, enrolled: dt.date | None, discharged: dt.date | None = None
) -> Callable[[], Service]:
    """A service on DOS of a procedure with `days` transition days; the only enrollment as given."""

    def build():
        client, program = f.ClientFactory(), f.ProgramFactory(program_type=Program.ProgramType.SUD)
        if discharged:
            status = Enrollment.Status.DISCHARGED
        else:
            status = Enrollment.Status.ENROLLED if enrolled else Enrollment.Status.REQUESTED
        f.EnrollmentFactory(
            client=client,
            program=program,
            requested_date=requested,
            enrolled_date=enrolled,
            discharged_date=discharged,
            status=status,
        )
        procedure = f.ProcedureFactory(name="Care coordination", transition_days=days)
        return f.billable_service(client=client, program=program, procedure=procedure)

    return build


def billed(amount: str | None, maximum: bool = True) -> Callable[[], Service]:
    """A service under a 5,000.00 rate (a maximum, like the housing deposit) with this billed amount."""

    def build():
        procedure = f.ProcedureFactory(code="H0044", modifier="U2")
        f.RateFactory(procedure=procedure, amount=Decimal("5000.00"), is_maximum=maximum)
        return f.billable_service(procedure=procedure, billed_amount=None if amount is None else Decimal(amount))

    return build


def stay(authorized_to: dt.date, **authorization) -> Callable[[], Service]:
    """A 3-day stay (DOS 08:00 to DOS+2 08:00, day units) under one authorization from the DOS."""

    def build():
        client = f.ClientFactory()
        procedure = f.ProcedureFactory(
            code="H0044", modifier="U3", unit=Procedure.Unit.DAY, requires_authorization=True
        )
        f.AuthorizationFactory(
            client=client, procedure=procedure, start_date=DOS, end_date=authorized_to, **authorization
        )
        return f.billable_service(client=client, procedure=procedure, start=at(DOS, 8), duration_minutes=2 * 24 * 60)

    return build


def filed_with_plan(dos: dt.date, months: int) -> Callable[[], Service]:
    """A service billed to a plan with `months` timely-filing months (its only coverage)."""

    def build():
        client = f.ClientFactory()
        plan = f.PayerFactory(name=f"Plan {months}", payer_type=Payer.PayerType.MEDI_CAL, timely_filing_months=months)
        f.CoverageFactory(client=client, payer=plan)
        return f.billable_service(client=client, start=at(dos))

    return build


MONTHLY_ONE = {"max_count": 1, "period": ProcedureLimit.Period.MONTH}
TWICE_MONTH_DISTINCT = {"max_count": 2, "period": ProcedureLimit.Period.MONTH, "distinct_dates": True}
DAILY_4H = {"max_count": None, "max_minutes": 240, "period": ProcedureLimit.Period.DAY}

# (rule code, builder, whether the built service fails that rule)
CASES = [
    ("FINANCIAL_INFO_INCOMPLETE", financial_incomplete, True),
    ("FINANCIAL_INFO_INCOMPLETE", f.billable_service, False),
    ("DX_NONE_IN_PROGRAM", dx_in_other_program_only, True),
    ("DX_NONE_IN_PROGRAM", f.billable_service, False),
    ("DX_EFFECTIVE_AFTER_DOS", dx_effective(DOS + dt.timedelta(days=1)), True),
    ("DX_EFFECTIVE_AFTER_DOS", dx_effective(DOS), False),  # the day it takes effect
    ("DX_ENDED_BEFORE_DOS", dx_effective(dt.date(2025, 1, 1), DOS - dt.timedelta(days=1)), True),
    ("DX_ENDED_BEFORE_DOS", dx_two_documents_with_gap, True),
    ("DX_ENDED_BEFORE_DOS", dx_effective(dt.date(2025, 1, 1), DOS), False),  # its last day
    ("DX_NOT_SIGNED", dx_effective(dt.date(2025, 1, 1), signed=False), True),
    ("DX_NOT_SIGNED", dx_unsigned_and_signed_covering, False),
    ("NOTE_NOT_SIGNED", note(signed=False, requires=True), True),
    ("NOTE_NOT_SIGNED", note(signed=False, requires=False), False),
    ("NOT_ENROLLED_ON_DOS", enrolled(DOS + dt.timedelta(days=1)), True),
    ("NOT_ENROLLED_ON_DOS", enrolled(dt.date(2026, 1, 1), DOS - dt.timedelta(days=1)), True),
    ("NOT_ENROLLED_ON_DOS", only_requested_enrollment, True),
    ("NOT_ENROLLED_ON_DOS", enrolled(DOS), False),
    ("NOT_ENROLLED_ON_DOS", enrolled(dt.date(2026, 1, 1), DOS), False),  # discharged on the DOS
    # Transition care (30 days): the 30th day after discharge passes, the 31st fails.
    ("NOT_ENROLLED_ON_DOS", transition(30, dt.date(2026, 1, 1), dt.date(2026, 1, 1), DOS - dt.timedelta(30)), False),
    ("NOT_ENROLLED_ON_DOS", transition(30, dt.date(2026, 1, 1), dt.date(2026, 1, 1), DOS - dt.timedelta(31)), True),
    ("NOT_ENROLLED_ON_DOS", transition(0, dt.date(2026, 1, 1), dt.date(2026, 1, 1), DOS - dt.timedelta(1)), True),
    # ... and between the requested and the enrolled dates (both included), not before the request.
    ("NOT_ENROLLED_ON_DOS", transition(30, DOS, DOS + dt.timedelta(10)), False),
    ("NOT_ENROLLED_ON_DOS", transition(30, DOS - dt.timedelta(10), DOS + dt.timedelta(1)), False),
    ("NOT_ENROLLED_ON_DOS", transition(30, DOS + dt.timedelta(1), DOS + dt.timedelta(10)), True),
    ("NOT_ENROLLED_ON_DOS", transition(0, DOS - dt.timedelta(10), DOS + dt.timedelta(1)), True),
    ("NOT_ENROLLED_ON_DOS", transition(30, DOS - dt.timedelta(10), None), True),  # not admitted yet
    ("NO_COVERAGE", coverage(end_date=DOS - dt.timedelta(days=1)), True),
    ("NO_COVERAGE", coverage(start_date=DOS + dt.timedelta(days=1)), True),
    ("NO_COVERAGE", coverage(end_date=DOS), False),  # the last day of the span
    ("INSURED_ID_MISSING", coverage(insured_id=""), True),
    ("INSURED_ID_MISSING", coverage(insured_id="91234567A"), False),
    ("SUBSCRIBER_NOT_CLIENT", coverage(subscriber_is_client=False), True),
    ("SUBSCRIBER_NOT_CLIENT", subscriber(Payer.PayerType.MEDI_CAL_DMC), True),
    ("SUBSCRIBER_NOT_CLIENT", subscriber(Payer.PayerType.OHC), False),
    ("SUBSCRIBER_NOT_CLIENT", coverage(subscriber_is_client=True), False),
    ("ADDRESS_INCOMPLETE", address(address_city=""), True),
    ("ADDRESS_INCOMPLETE", address(address_street=""), True),
    ("ADDRESS_INCOMPLETE", address(address_state="C1"), True),
    ("ADDRESS_INCOMPLETE", address(address_zip="9210"), True),
    ("ADDRESS_INCOMPLETE", address(billing_address=False), True),
    ("ADDRESS_INCOMPLETE", address(address_street="123 Main St, San Diego, CA 92101"), True),
    ("ADDRESS_INCOMPLETE", address(address_street="123 Main St San Diego CA 92101"), True),
    ("ADDRESS_INCOMPLETE", homeless(city="", state="", zip_code=""), True),  # the agency's do not stand in
    ("ADDRESS_INCOMPLETE", homeless(city=""), True),
    ("ADDRESS_INCOMPLETE", homeless(state="C1"), True),
    ("ADDRESS_INCOMPLETE", homeless(zip_code="9210"), True),
    ("ADDRESS_INCOMPLETE", homeless(), False),
    ("ADDRESS_INCOMPLETE", address(address_zip="92101-1234"), False),
    ("ADDRESS_INCOMPLETE", address(address_street="4 Elm Ave, Apt 2"), False),
    ("CLINICIAN_NOT_CREDENTIALED", credentialed("PEER"), True),
    ("CLINICIAN_NOT_CREDENTIALED", credentialed("SUD_REGISTERED"), False),
    ("CLINICIAN_NOT_CREDENTIALED", credentialed("PEER", allowed=()), False),
    ("CREDENTIAL_EXPIRED", credentialed("LPHA", expires=DOS - dt.timedelta(days=1)), True),
    ("CREDENTIAL_EXPIRED", credentialed("LPHA", expires=DOS), False),
    ("NO_MATCHING_RATE", rate(program_match=False), True),
    ("NO_MATCHING_RATE", rate(program_match=True, end=DOS - dt.timedelta(days=1)), True),
    ("NO_MATCHING_RATE", rate(program_match=True, end=DOS), False),
    ("ZERO_UNITS", minutes(7), True),
    ("ZERO_UNITS", minutes(8), False),
    ("AUTHORIZATION_REQUIRED", authorization(), True),
    ("AUTHORIZATION_REQUIRED", authorization(status="denied"), True),
    ("AUTHORIZATION_REQUIRED", authorization(end_date=DOS - dt.timedelta(days=1)), True),
    ("AUTHORIZATION_REQUIRED", authorization(end_date=DOS), False),  # the last day of the span
    ("AUTHORIZATION_REQUIRED", stay(DOS + dt.timedelta(days=1)), True),  # ends on day 2 of a 3-day stay
    ("AUTHORIZATION_REQUIRED", stay(DOS + dt.timedelta(days=2)), False),  # covers all 3 days
    ("AUTHORIZATION_REQUIRED", authorization(presumptive=True, tar_number=""), False),
    ("AUTHORIZATION_REQUIRED", authorization(presumptive=True, tar_number="", status="denied"), True),
    ("AUTHORIZATION_EXHAUSTED", authorized_series(quantity=2, count=3), True),
    ("AUTHORIZATION_EXHAUSTED", authorized_series(quantity=3, count=3), False),
    ("FREQUENCY_LIMIT_EXCEEDED", series([at(dt.date(2026, 10, 1)), at(dt.date(2026, 10, 31))], MONTHLY_ONE), True),
    ("FREQUENCY_LIMIT_EXCEEDED", series([at(dt.date(2026, 9, 30)), at(dt.date(2026, 10, 1))], MONTHLY_ONE), False),
    (
        "FREQUENCY_LIMIT_EXCEEDED",
        series([at(dt.date(2026, 1, 5)), at(DOS)], {"max_count": 1, "period": "lifetime"}),
        True,
    ),
    ("FREQUENCY_LIMIT_EXCEEDED", series([at(DOS, 9), at(DOS, 11)], TWICE_MONTH_DISTINCT), True),
    ("FREQUENCY_LIMIT_EXCEEDED", series([at(DOS, 9), at(DOS + dt.timedelta(days=1))], TWICE_MONTH_DISTINCT), False),
    (
        "FREQUENCY_LIMIT_EXCEEDED",
        series([at(DOS), at(DOS + dt.timedelta(days=1)), at(DOS + dt.timedelta(days=2))], TWICE_MONTH_DISTINCT),
        True,
    ),
    ("FREQUENCY_LIMIT_EXCEEDED", series([at(DOS, 9), at(DOS, 11)], {"max_count": 1, "period": "day"}), True),
    ("DAILY_MAXIMUM_EXCEEDED", series([at(DOS, 8), at(DOS, 12)], DAILY_4H, duration_minutes=120), False),
    ("DAILY_MAXIMUM_EXCEEDED", series([at(DOS, 8), at(DOS, 12), at(DOS, 15)], DAILY_4H, duration_minutes=81), True),
    (
        "DAILY_MAXIMUM_EXCEEDED",
        series([at(DOS, 8), at(DOS + dt.timedelta(days=1), 8)], DAILY_4H, duration_minutes=200),
        False,
    ),
    ("MCP_ENROLLMENT_REQUIRED", ecm(None), True),
    ("MCP_ENROLLMENT_REQUIRED", ecm(Payer.PayerType.COUNTY), True),
    ("MCP_ENROLLMENT_REQUIRED", ecm(Payer.PayerType.MCP), False),
    ("PREREQUISITE_NOT_MET", prerequisite([]), True),
    ("PREREQUISITE_NOT_MET", prerequisite([dt.date(2026, 8, 3), dt.date(2026, 8, 20)]), True),
    ("PREREQUISITE_NOT_MET", prerequisite([dt.date(2026, 8, 3), dt.date(2026, 9, 3)]), False),
    ("DUPLICATE_SERVICE", duplicate(later=True), True),
    ("DUPLICATE_SERVICE", duplicate(later=False), False),
    ("TIMELY_FILING_LIMIT", filed(dt.date(2025, 10, 31)), True),  # limit 2026-10-31, run 2026-11-21
    ("TIMELY_FILING_LIMIT", filed(dt.date(2025, 10, 31), delay="11"), False),
    ("TIMELY_FILING_LIMIT", filed(dt.date(2025, 11, 1)), False),  # limit 2026-11-30
    ("TIMELY_FILING_LIMIT", filed_with_plan(dt.date(2026, 4, 30), months=6), True),  # limit 2026-10-31
    ("TIMELY_FILING_LIMIT", filed_with_plan(dt.date(2026, 5, 1), months=6), False),  # limit 2026-11-30
    ("BILLED_AMOUNT_INVALID", billed(None), True),
    ("BILLED_AMOUNT_INVALID", billed("0.00"), True),
    ("BILLED_AMOUNT_INVALID", billed("5000.01"), True),
    ("BILLED_AMOUNT_INVALID", billed("5000.00"), False),  # at the maximum
    ("BILLED_AMOUNT_INVALID", billed("4999.99"), False),
    ("BILLED_AMOUNT_INVALID", billed(None, maximum=False), False),  # a plain rate needs no amount
]


@pytest.mark.parametrize(
    ("code", "build", "fails"),
    CASES,
    ids=[f"{c}-{'fails' if x else 'passes'}-{i}" for i, (c, _, x) in enumerate(CASES)],
)
def test_rule_fails_and_passes_where_the_domain_says(validate, code, build, fails):
    service = build()
    validate()
    assert (code in reasons(service)) is fails
    service.refresh_from_db()
    if not reasons(service):
        assert service.status == Service.Status.COMPLETE


def test_every_catalogue_code_has_a_failing_and_a_passing_case():
    from nightly.catalogue import CODES

    assert {c for c, _, fails in CASES if fails} == set(CODES)
    assert {c for c, _, fails in CASES if not fails} == set(CODES)


@pytest.mark.parametrize(
    ("run_date", "fails"),
    [(dt.date(2026, 2, 28), False), (dt.date(2026, 3, 1), True)],
)
def test_timely_filing_limit_is_the_end_of_the_twelfth_month_after_the_month_of_service(validate, run_date, fails):
    service = f.billable_service(start=at(dt.date(2025, 2, 10)))
    validate(as_of=run_date)
    assert ("TIMELY_FILING_LIMIT" in reasons(service)) is fails


def test_frequency_limit_fails_the_extras_and_passes_the_earliest(validate):
    client, program, procedure = f.ClientFactory(), f.ProgramFactory(), f.ProcedureFactory()
    f.ProcedureLimitFactory(procedure=procedure, **MONTHLY_ONE)
    late = f.billable_service(client=client, program=program, procedure=procedure, start=at(DOS, 15))
    early = f.billable_service(client=client, program=program, procedure=procedure, start=at(DOS, 9))
    validate()
    assert reasons(early) == set()
    assert reasons(late) == {"FREQUENCY_LIMIT_EXCEEDED"}


def test_a_complete_service_counts_towards_the_limit(validate):
    client, program, procedure = f.ClientFactory(), f.ProgramFactory(), f.ProcedureFactory()
    f.ProcedureLimitFactory(procedure=procedure, **MONTHLY_ONE)
    f.billable_service(
        client=client,
        program=program,
        procedure=procedure,
        start=at(DOS, 9),
        status=Service.Status.COMPLETE,
        units=1,
        rate=100,
        charge=100,
    )
    second = f.billable_service(client=client, program=program, procedure=procedure, start=at(DOS, 15))
    validate()
    assert reasons(second) == {"FREQUENCY_LIMIT_EXCEEDED"}


def test_authorization_counts_units_so_a_long_minute_service_takes_the_total_over(validate):
    client, program = f.ClientFactory(), f.ProgramFactory()
    procedure = f.ProcedureFactory(requires_authorization=True, unit=Procedure.Unit.MINUTE)
    f.AuthorizationFactory(client=client, procedure=procedure, quantity=4)
    first = f.billable_service(
        client=client, program=program, procedure=procedure, start=at(DOS, 9), duration_minutes=45
    )
    second = f.billable_service(
        client=client, program=program, procedure=procedure, start=at(DOS, 13), duration_minutes=23
    )
    validate()
    assert reasons(first) == set()  # 3 units
    assert reasons(second) == {"AUTHORIZATION_EXHAUSTED"}  # 3 + 2 > 4


@pytest.mark.parametrize(("duration", "units"), [(7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (60, 4)])
def test_minute_units_follow_the_midpoint_rule(validate, duration, units):
    procedure = f.ProcedureFactory(unit=Procedure.Unit.MINUTE)
    f.RateFactory(procedure=procedure, amount=Decimal("25.50"))
    service = f.billable_service(procedure=procedure, duration_minutes=duration)
    validate()
    service.refresh_from_db()
    if units == 0:
        assert reasons(service) == {"ZERO_UNITS"}
        assert service.status == Service.Status.SHOW
    else:
        assert service.status == Service.Status.COMPLETE
        assert service.units == units
        assert service.charge == Decimal("25.50") * units


@pytest.mark.parametrize(
    ("unit", "start", "duration", "units"),
    [
        ("service", at(DOS), 300, 1),
        ("month", at(DOS), 300, 1),
        ("day", at(DOS, 10), 60, 1),
        ("day", at(DOS, 22), 120, 1),  # ends at midnight: does not touch the next day
        ("day", at(DOS, 22), 121, 2),
        ("day", at(DOS, 8), 3 * 24 * 60, 4),
    ],
)
def test_units_per_service_day_and_month(validate, unit, start, duration, units):
    service = f.billable_service(procedure=f.ProcedureFactory(unit=unit), start=start, duration_minutes=duration)
    validate()
    service.refresh_from_db()
    assert service.status == Service.Status.COMPLETE
    assert service.units == units


@pytest.mark.parametrize(
    ("with_program", "with_payer", "expected"),
    [(True, True, "40.00"), (True, False, "30.00"), (False, True, "20.00"), (False, False, "10.00")],
)
def test_the_most_specific_rate_wins(validate, with_program, with_payer, expected):
    program, procedure, client = f.ProgramFactory(), f.ProcedureFactory(), f.ClientFactory()
    medi_cal = f.PayerFactory()
    f.CoverageFactory(client=client, payer=medi_cal)
    # A second-priority plan's rate never matches: only the first-priority payer counts.
    f.CoverageFactory(client=client, payer=f.PayerFactory(name="Other", payer_type="OHC"), priority=2)
    f.RateFactory(procedure=procedure, amount=Decimal("10.00"))
    f.RateFactory(procedure=procedure, payer=Payer.objects.get(name="Other"), program=program, amount=Decimal("99.00"))
    if with_payer:
        f.RateFactory(procedure=procedure, payer=medi_cal, amount=Decimal("20.00"))
    if with_program:
        f.RateFactory(procedure=procedure, program=program, amount=Decimal("30.00"))
    if with_program and with_payer:
        f.RateFactory(procedure=procedure, program=program, payer=medi_cal, amount=Decimal("40.00"))
    service = f.billable_service(client=client, program=program, procedure=procedure)
    validate()
    service.refresh_from_db()
    assert service.rate == Decimal(expected)
    assert service.charge == Decimal(expected)


def test_rates_change_on_their_start_date(validate):
    procedure = f.ProcedureFactory()
    f.RateFactory(procedure=procedure, amount=Decimal("10.00"), end_date=dt.date(2026, 6, 30))
    f.RateFactory(procedure=procedure, amount=Decimal("12.00"), start_date=dt.date(2026, 7, 1))
    june = f.billable_service(procedure=procedure, start=at(dt.date(2026, 6, 30)))
    july = f.billable_service(procedure=procedure, start=at(dt.date(2026, 7, 1)))
    validate()
    june.refresh_from_db()
    july.refresh_from_db()
    assert (june.rate, july.rate) == (Decimal("10.00"), Decimal("12.00"))


def test_coverage_payer_type_other_than_medi_cal_needs_no_client_subscriber(validate):
    client = f.ClientFactory()
    f.CoverageFactory(
        client=client, subscriber_is_client=False, payer=f.PayerFactory(name="OHC plan", payer_type="OHC")
    )
    service = f.billable_service(client=client)
    validate()
    assert reasons(service) == set()


def test_disabled_rule_and_rule_not_yet_effective_are_skipped(validate):
    from nightly.models import Rule

    Rule.objects.filter(code="FINANCIAL_INFO_INCOMPLETE").update(enabled=False)
    Rule.objects.filter(code="NOTE_NOT_SIGNED").update(effective_from=AS_OF + dt.timedelta(days=1))
    service = f.billable_service(client=f.ClientFactory(financial_info_complete=False), note_signed=False)
    validate()
    service.refresh_from_db()
    assert reasons(service) == set()
    assert service.status == Service.Status.COMPLETE


def test_staff_credential_list_matches_the_care_coordination_seed(validate):
    # Care coordination (SUD): an LPHA or a registered/certified SUD counselor.
    procedure = f.ProcedureFactory(allowed_credentials=["LPHA", "SUD_CERTIFIED", "SUD_REGISTERED"])
    program = f.ProgramFactory()
    results = {}
    for credential in Staff.Credential.values:
        service = f.billable_service(
            program=program, procedure=procedure, clinician=f.StaffFactory(agency=program.agency, credential=credential)
        )
        results[credential] = service
    validate()
    failing = {c for c, s in results.items() if "CLINICIAN_NOT_CREDENTIALED" in reasons(s)}
    assert failing == {"PEER", "PRESCRIBER", "OTHER"}


def test_rate_of_a_coverage_ended_before_dos_is_not_the_first_priority_payer(validate):
    client, procedure = f.ClientFactory(), f.ProcedureFactory()
    old = f.PayerFactory(name="Old plan", payer_type="OHC")
    f.CoverageFactory(client=client, payer=old, end_date=DOS - dt.timedelta(days=1))
    f.CoverageFactory(client=client, start_date=DOS)
    Coverage.objects.filter(client=client)  # two spans, one in effect
    f.RateFactory(procedure=procedure, payer=old, amount=Decimal("77.00"))
    f.RateFactory(procedure=procedure, amount=Decimal("11.00"))
    service = f.billable_service(client=client, procedure=procedure)
    validate()
    service.refresh_from_db()
    assert service.rate == Decimal("11.00")
    assert Rate.objects.filter(procedure=procedure).count() == 2
