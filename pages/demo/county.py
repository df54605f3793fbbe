"""A synthetic county for the demo: agencies, programs, staff, clients and six months of services.

`load_demo(seed=..., clients=...)` builds everything in memory from one `random.Random(seed)` and
writes it with bulk inserts in one transaction, so the same seed on the same day gives the same
county. Dates are relative to today in the county's time zone.

The data starts clean (every service would pass every rule of DOMAIN.md's catalogue) and then about
15% of the services get one planted problem, spread over every rule code. Each planted problem is
"localized" (a client-level problem starts on a cut-off date, or hits a new client with few services)
so that the share stays near 15% and each failing service has, by design, one reason.

Decisions where the documents leave a case open:

* Older months are already validated: clean services before the previous calendar month are
  `complete` (units, rate and charge as DOMAIN.md computes them) and mostly `claimed` when older than
  two months; planted problems stay in `show`, as they would have failed every night since.
* Reference data the seeds do not price gets a plausible figure: recuperative care (T2033-U6)
  190.00 a day, tenancy and sustaining (T2041-U6) 300.00 a month. The housing deposit (H0044-U2)
  rate is a maximum, 5,000.00: each deposit is billed at its amount (1,200.00 to 4,800.00).
  Rates of the common MH/SUD procedures change on July 1 (the fiscal year), so June and July
  services price differently.
* As the seeds' table says, every ECM and Community Supports code requires a TAR with the listed
  quantity: G9012 1 (a new client's is presumptive: the plan granted it, no TAR number), G9012-U2
  999, H0043-U6 6, H0044-U2 1 (from the deposit day, two months), H0044-U3 the days of stay, T2040-U6
  12, T2033-U6 90 days, T2041-U6 6. SUD care coordination (H0006) has 30 transition days: a few
  discharged SUD clients get a warm hand-off within 30 days of discharge, which passes.
* Payers carry an X12 payer id; every plan keeps Medi-Cal's 12 timely-filing months (the seeds
  name no other figure).
* `H0023` (engagement) has no rate on purpose: the county has not entered it yet (NO_MATCHING_RATE).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clients.models import Agency, Client, Enrollment, Location, Program, Staff
from common.audit import acting_as
from coverage.models import Coverage, Payer
from diagnosis.models import DiagnosisCode, DiagnosisDocument
from pages.demo.base import DEFAULT_CLIENTS
from pages.demo.people import People
from pages.demo.problems import PLANTED_RULES, Problems
from pages.demo.reference import PROCEDURES, ReferenceData
from services.models import Authorization, Procedure, ProcedureLimit, Rate, Service
from services.units import units_for

DEMO_PASSWORD = "Demo-Pass-2025"  # noqa: S105 - the published demo login, printed by `make demo`


@dataclass
class DemoSummary:
    seed: int
    today: dt.date
    agencies: int = 0
    programs: int = 0
    staff: int = 0
    clients: int = 0
    services: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    planted: dict[str, int] = field(default_factory=dict)
    failing_by_design: int = 0
    seconds: float = 0.0
    users: tuple[str, ...] = ()

    @property
    def failing_share(self) -> float:
        return self.failing_by_design / self.services if self.services else 0.0


class DemoNotEmpty(Exception):
    """The database already holds clients; the demo only loads into an empty county."""


def database_has_clients() -> bool:
    return Client.objects.exists()


def load_demo(*, seed: int = 7, clients: int = DEFAULT_CLIENTS, today: dt.date | None = None) -> DemoSummary:
    """Build the demo county and write it in one transaction; refuses when clients exist."""
    if clients < 10:
        raise ValueError("The demo county needs at least 10 clients.")
    started = time.monotonic()
    today = today or timezone.localdate()
    with transaction.atomic(), acting_as(None, command="load_demo", seed=seed):
        if database_has_clients():
            raise DemoNotEmpty("The database already has clients; the demo loads into an empty database only.")
        county = _County(random.Random(seed), today=today, n_clients=clients)
        county.build()
        summary = county.write(seed=seed)
    summary.seconds = time.monotonic() - started
    return summary


class _County(ReferenceData, People, Problems):
    """The generator: reference data, then each client with its services, then the planted problems,
    then the statuses the nightly runs of past months would have left."""

    def __init__(self, rng: random.Random, *, today: dt.date, n_clients: int) -> None:
        super().__init__(rng, today=today, n_clients=n_clients)
        self.specs = {spec.key: spec for spec in PROCEDURES}

    def build(self) -> None:
        self.build_reference_data()
        for index in range(self.n_clients):
            self.build_client(index)
        self.plant_problems()
        self.settle_statuses()

    def settle_statuses(self) -> None:
        rng = self.rng
        for cp in self.clients:
            for sp in cp.services:
                obj = sp.obj
                if sp.other_status:
                    obj.status = sp.other_status
                    if sp.other_status == "scheduled":
                        obj.note_signed = False
                elif sp.planted or sp.dos >= self.prev_month or obj.delay_reason_code:
                    obj.status = Service.Status.SHOW
                else:
                    obj.status = Service.Status.COMPLETE
                    obj.units = units_for(sp.spec.unit, obj.start, obj.duration_minutes)
                    obj.rate = self.rate_amount(sp.spec, sp.dos) if sp.spec.billable else Decimal("0.00")
                    if sp.spec.maximum and obj.billed_amount is not None:  # the billed amount, one unit
                        obj.units, obj.rate = Decimal(1), obj.billed_amount
                    obj.charge = (obj.units * obj.rate).quantize(Decimal("0.01"))
                    obj.billed_payer = self.billed_payer(cp, sp) if sp.spec.billable else None
                    obj.last_validated_at = self.at(sp.dos + dt.timedelta(days=1), 1, 5)
                    obj.claimed = sp.dos < self.claim_before and rng.random() < 0.85

    def write(self, *, seed: int) -> DemoSummary:
        Agency.objects.bulk_create(self.agencies)
        Program.objects.bulk_create(list(self.programs.values()))
        Staff.objects.bulk_create([s for team in self.staff for s in team])
        Location.objects.bulk_create(self.locations)
        Payer.objects.bulk_create(list(self.payers.values()))
        Procedure.objects.bulk_create(list(self.procedures.values()))
        ProcedureLimit.objects.bulk_create(self.limits)
        Rate.objects.bulk_create(self.rates)
        Client.objects.bulk_create([cp.obj for cp in self.clients])
        Enrollment.objects.bulk_create([ep.obj for cp in self.clients for ep in cp.enrollments])
        Coverage.objects.bulk_create([c for cp in self.clients for c in cp.coverages])
        documents = [d for cp in self.clients for ep in cp.enrollments for d in ep.dx]
        DiagnosisDocument.objects.bulk_create(documents)
        DiagnosisCode.objects.bulk_create(
            [
                DiagnosisCode(document=d, code=code, billing_order=order)
                for d in documents
                for order, code in enumerate(d._demo_codes, start=1)  # type: ignore[attr-defined]
            ]
        )
        Authorization.objects.bulk_create([a for cp in self.clients for a in cp.auths])
        plans = [sp for cp in self.clients for sp in cp.services]
        # Entered in order of start; duplicates were entered later, so they get the higher ids.
        plans.sort(key=lambda sp: (sp.late, sp.obj.start))
        Service.objects.bulk_create([sp.obj for sp in plans], batch_size=2000)
        users = self.write_users()

        planted: Counter[str] = Counter()
        for sp in plans:
            planted.update(sp.planted)
        return DemoSummary(
            seed=seed,
            today=self.today,
            agencies=len(self.agencies),
            programs=len(self.programs),
            staff=sum(len(team) for team in self.staff),
            clients=len(self.clients),
            services=len(plans),
            by_status=dict(Counter(sp.obj.status for sp in plans)),
            planted={code: planted[code] for code in PLANTED_RULES},
            failing_by_design=sum(1 for sp in plans if sp.planted),
            users=users,
        )

    def write_users(self) -> tuple[str, ...]:
        R = User.Role
        specs = (
            ("county", R.COUNTY_BILLING, None, False),
            ("provider", R.PROVIDER_ADMIN, self.agencies[0], False),
            ("provider2", R.PROVIDER_ADMIN, self.agencies[1], False),
            ("admin", R.SYSTEM_ADMIN, None, True),
        )
        users = []
        for username, role, agency, superuser in specs:
            user = User(
                username=username, role=role, agency=agency, is_staff=role != R.PROVIDER_ADMIN, is_superuser=superuser
            )
            user.set_password(DEMO_PASSWORD)
            users.append(user)
        User.objects.bulk_create(users)
        return tuple(u.username for u in users)
