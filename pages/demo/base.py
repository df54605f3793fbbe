"""The demo county's state and small helpers, shared by its parts (reference data, people, visits,
planted problems): the plans of clients, enrollments and services before they are written."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from clients.models import Agency, Client, Enrollment, Location, Program, Staff
from coverage.models import Coverage, Payer
from diagnosis.models import DiagnosisDocument
from services.models import Authorization, Procedure, ProcedureLimit, Rate, Service

DEFAULT_CLIENTS = 300
Cred = Staff.Credential
PT = Program.ProgramType
U = Procedure.Unit


@dataclass(frozen=True)
class ProcedureSpec:
    key: str
    code: str
    modifier: str
    name: str
    unit: str
    amount: str | None  # None: no rate on file
    credentials: tuple[str, ...] = ()
    billable: bool = True
    requires_authorization: bool = False
    fiscal_year_change: bool = False  # the rate changes on July 1
    maximum: bool = False  # the rate is a maximum: services are billed at their billed amount
    transition_days: int = 0


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return month_start(day, -1) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month."""
    first = month_start(day, -months)
    return min(first + dt.timedelta(days=day.day - 1), month_end(first))


@dataclass
class _ServicePlan:
    obj: Service
    dos: dt.date
    spec: ProcedureSpec
    planted: set[str] = field(default_factory=set)
    other_status: str | None = None  # scheduled / no_show / cancel / error
    locked: bool = False  # another planted service depends on this one staying clean
    late: bool = False  # entered after the others (a duplicate): gets a higher id


@dataclass
class _EnrollmentPlan:
    obj: Enrollment
    program_type: str
    dx: list[DiagnosisDocument] = field(default_factory=list)


@dataclass
class _ClientPlan:
    obj: Client
    agency: int
    tenure: str  # long / mid / new
    enrolled: dt.date
    subtype: str = ""  # CS: homeless / housed / recuperative
    homeless: bool = False
    enrollments: list[_EnrollmentPlan] = field(default_factory=list)
    coverages: list[Coverage] = field(default_factory=list)
    auths: list[Authorization] = field(default_factory=list)
    services: list[_ServicePlan] = field(default_factory=list)
    used_starts: set[dt.datetime] = field(default_factory=set)
    defect: str = ""  # the client-level problem planted on this client, if any

    def primary(self) -> _EnrollmentPlan:
        return self.enrollments[0]

    def types(self) -> set[str]:
        return {e.program_type for e in self.enrollments}


class CountyBase:
    def __init__(self, rng: random.Random, *, today: dt.date, n_clients: int) -> None:
        self.rng = rng
        self.today = today
        self.yesterday = today - dt.timedelta(days=1)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.n_clients = n_clients
        self.scale = n_clients / DEFAULT_CLIENTS
        self.window_start = month_start(today, 5)  # six calendar months including this one
        self.prev_month = month_start(today, 1)
        self.claim_before = month_start(today, 2)
        self.fy_start = dt.date(today.year if today.month >= 7 else today.year - 1, 7, 1)
        # The fiscal-year rate change should fall inside the window; move it back a year otherwise.
        if self.fy_start > today - dt.timedelta(days=30):
            self.fy_start = self.fy_start.replace(year=self.fy_start.year - 1)
        self.agencies: list[Agency] = []
        self.programs: dict[tuple[int, str], Program] = {}
        self.staff: list[list[Staff]] = []
        self.locations: list[Location] = []
        self.payers: dict[str, Payer] = {}
        self.procedures: dict[str, Procedure] = {}
        self.specs: dict[str, ProcedureSpec] = {}  # set by the county from reference.PROCEDURES
        self.limits: list[ProcedureLimit] = []
        self.rates: list[Rate] = []
        self.clients: list[_ClientPlan] = []
        self.ssn_counter = 0
        self.insured_counter = 0
        self.tar_counter = 0

    # -- helpers ----------------------------------------------------------------------------------

    def n(self, at_300: float) -> int:
        return max(1, round(at_300 * self.scale))

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)

    def weekday_on_or_after(self, day: dt.date) -> dt.date:
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return day

    def random_day(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def cin(self) -> str:
        self.insured_counter += 1
        return f"9{self.rng.randint(1000000, 9999999)}{'ABCDEFGHJK'[self.insured_counter % 10]}"

    def past(self, sp: _ServicePlan) -> bool:
        return sp.other_status is None and sp.dos <= self.yesterday

    def billed_payer(self, cp: _ClientPlan, sp: _ServicePlan) -> Payer | None:
        """The billed coverage's payer (DOMAIN.md): in effect on the DOS, MCP only for ECM and CS."""
        mcp_only = sp.obj.program.program_type in (PT.ECM, PT.CS)
        plans = [
            c
            for c in cp.coverages
            if c.start_date <= sp.dos
            and (c.end_date is None or c.end_date >= sp.dos)
            and (not mcp_only or c.payer.payer_type == Payer.PayerType.MCP)
        ]
        return min(plans, key=lambda c: c.priority).payer if plans else None

    def rate_amount(self, spec: ProcedureSpec, dos: dt.date) -> Decimal:
        assert spec.amount is not None
        amount = Decimal(spec.amount)
        if spec.fiscal_year_change and dos < self.fy_start:
            amount = (amount * Decimal("0.96")).quantize(Decimal("0.01"))
        return amount

    def authorize(
        self, cp: _ClientPlan, key: str, start: dt.date, end: dt.date, quantity: int, **kwargs: object
    ) -> Authorization:
        self.tar_counter += 1
        auth = Authorization(
            client=cp.obj,
            payer=self.payers[Payer.PayerType.MCP],
            procedure=self.procedures[key],
            tar_number=f"TAR{self.today.year % 100:02d}{self.tar_counter:05d}",
            start_date=start,
            end_date=end,
            quantity=quantity,
            status=Authorization.Status.APPROVED,
        )
        for name, value in kwargs.items():
            setattr(auth, name, value)
        cp.auths.append(auth)
        return auth
