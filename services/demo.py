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
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import acting_as
from accounts.models import User
from clients.models import Agency, Client, Enrollment, Location, Program, Staff
from clients.validators import npi_check_digit
from coverage.models import Coverage, Payer
from diagnosis.models import DiagnosisCode, DiagnosisDocument
from services.models import Authorization, Procedure, ProcedureLimit, Rate, Service

DEMO_PASSWORD = "Demo-Pass-2025"  # noqa: S105 - the published demo login, printed by `make demo`
DEFAULT_CLIENTS = 300

Cred = Staff.Credential
PT = Program.ProgramType
U = Procedure.Unit
SUD_CREDS = (Cred.LPHA, Cred.SUD_CERTIFIED, Cred.SUD_REGISTERED)


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


PROCEDURES: tuple[ProcedureSpec, ...] = (
    # Common mental-health procedures.
    ProcedureSpec(
        "ASSESS_MH",
        "90791",
        "",
        "Psychiatric diagnostic evaluation (assessment)",
        U.SERVICE,
        "310.00",
        (Cred.LPHA, Cred.PRESCRIBER),
        fiscal_year_change=True,
    ),
    ProcedureSpec(
        "PSYTX45", "90834", "", "Psychotherapy, 45 minutes", U.SERVICE, "178.00", (Cred.LPHA,), fiscal_year_change=True
    ),
    ProcedureSpec(
        "PSYTX60", "90837", "", "Psychotherapy, 60 minutes", U.SERVICE, "236.00", (Cred.LPHA,), fiscal_year_change=True
    ),
    ProcedureSpec("TCM", "T1017", "", "Targeted case management", U.MINUTE, "46.00", fiscal_year_change=True),
    ProcedureSpec(
        "MEDS",
        "H2010",
        "",
        "Medication support services",
        U.MINUTE,
        "82.00",
        (Cred.PRESCRIBER,),
        fiscal_year_change=True,
    ),
    ProcedureSpec("CRISIS", "H2011", "", "Crisis intervention", U.MINUTE, "71.00", fiscal_year_change=True),
    # Substance use disorder (DMC-ODS); care coordination needs an LPHA or an SUD counselor (seed).
    ProcedureSpec(
        "ASSESS_SUD", "H0001", "", "SUD assessment (ASAM)", U.SERVICE, "165.00", SUD_CREDS, fiscal_year_change=True
    ),
    ProcedureSpec(
        "SUD_COUNSEL", "H0004", "", "SUD individual counseling", U.MINUTE, "38.00", SUD_CREDS, fiscal_year_change=True
    ),
    ProcedureSpec(
        "CARE_COORD",
        "H0006",
        "",
        "SUD care coordination",
        U.MINUTE,
        "35.00",
        SUD_CREDS,
        fiscal_year_change=True,
        transition_days=30,
    ),
    ProcedureSpec(
        "NONBILL", "NOBILL", "", "Non-billable: attempted contact or documentation", U.MINUTE, None, billable=False
    ),
    ProcedureSpec("ENGAGE", "H0023", "", "Engagement (outreach)", U.MINUTE, None),
    # CalAIM ECM and Community Supports (seeds/ecm-cs-billing-codes-and-tars.txt).
    ProcedureSpec("ECM_ENROLL", "G9012", "", "ECM enrollment", U.SERVICE, "150.00", requires_authorization=True),
    ProcedureSpec("ECM_CM", "G9012", "U2", "ECM case management", U.MONTH, "350.00", requires_authorization=True),
    ProcedureSpec("HOUSING_NAV", "H0043", "U6", "Housing navigation", U.MONTH, "386.00", requires_authorization=True),
    ProcedureSpec(
        "HOUSING_DEP", "H0044", "U2", "Housing deposit", U.SERVICE, "5000.00", requires_authorization=True, maximum=True
    ),
    ProcedureSpec(
        "POST_HOSP",
        "H0044",
        "U3",
        "Short-term post-hospitalization housing",
        U.DAY,
        "108.00",
        requires_authorization=True,
    ),
    ProcedureSpec(
        "FIN_MGMT",
        "T2040",
        "U6",
        "Financial management / sustaining services",
        U.SERVICE,
        "222.00",
        requires_authorization=True,
    ),
    ProcedureSpec("RECUP", "T2033", "U6", "Recuperative care", U.DAY, "190.00", requires_authorization=True),
    ProcedureSpec(
        "TENANCY",
        "T2041",
        "U6",
        "Housing tenancy and sustaining services",
        U.MONTH,
        "300.00",
        requires_authorization=True,
    ),
)

AGENCIES = (
    # name, program prefix, city, zip, program types
    ("Harbor Behavioral Health", "HBH", "San Diego", "92101", (PT.MH, PT.SUD, PT.ECM, PT.CS)),
    ("Mesa Recovery Services", "MRS", "El Cajon", "92020", (PT.MH, PT.SUD, PT.ECM)),
    ("Northstar Community Partners", "NCP", "Oceanside", "92054", (PT.MH, PT.SUD, PT.CS)),
)
PROGRAM_NAMES: dict[str, tuple[str, str]] = {
    PT.MH: ("OP-MH", "Adult Outpatient Mental Health"),
    PT.SUD: ("OP-SUD", "Outpatient SUD Treatment (DMC-ODS)"),
    PT.ECM: ("ECM", "Enhanced Care Management"),
    PT.CS: ("CS-HOUSING", "Community Supports: Housing"),
}
# Ten staff per agency; the first LPHA of agency 1 and 3 and the registered counselor of agency 2
# let their credential lapse a few weeks ago (CREDENTIAL_EXPIRED).
STAFF_CREDENTIALS = (
    Cred.LPHA,
    Cred.LPHA,
    Cred.LPHA,
    Cred.PRESCRIBER,
    Cred.SUD_CERTIFIED,
    Cred.SUD_CERTIFIED,
    Cred.SUD_REGISTERED,
    Cred.PEER,
    Cred.PEER,
    Cred.OTHER,
)
EXPIRED_STAFF_SLOT = {0: 0, 1: 6, 2: 0}  # agency index -> staff slot whose credential expired

LOCATIONS = (
    ("Clinic office", "11"),
    ("Telehealth (client's home)", "10"),
    ("Client's home", "12"),
    ("Homeless shelter", "04"),
    ("Community", "99"),
    ("School", "03"),
)
PAYERS = (
    # name, type, X12 payer id
    ("Medi-Cal", Payer.PayerType.MEDI_CAL, "610442"),
    ("Medi-Cal DMC", Payer.PayerType.MEDI_CAL_DMC, "610442"),
    ("Medicare", Payer.PayerType.MEDICARE, "01182"),
    ("Partnership HealthPlan of California", Payer.PayerType.MCP, "PHC01"),
    ("Blue Shield of California", Payer.PayerType.OHC, "94036"),
)
DX_CODES: dict[str, tuple[str, ...]] = {
    PT.MH: ("F32.9", "F33.1", "F41.1", "F43.10", "F20.9", "F31.9", "F43.12", "F25.0", "F32.1", "F43.23"),
    PT.SUD: ("F10.20", "F11.20", "F15.20", "F12.20", "F14.20", "F10.21", "F11.21"),
    PT.ECM: ("Z59.01", "Z59.02", "Z59.811", "Z59.41", "F32.9", "F20.9"),
    PT.CS: ("Z59.01", "Z59.02", "Z59.811", "Z59.41", "F33.1", "F10.20"),
}
FIRST_NAMES = (
    "Maria",
    "Jose",
    "James",
    "Linda",
    "Michael",
    "Patricia",
    "David",
    "Jennifer",
    "Robert",
    "Elizabeth",
    "Luis",
    "Ana",
    "Daniel",
    "Sofia",
    "Anthony",
    "Karen",
    "Kevin",
    "Nancy",
    "Brian",
    "Lisa",
    "Carlos",
    "Rosa",
    "Jason",
    "Michelle",
    "Eric",
    "Angela",
    "Thanh",
    "Mai",
    "Ahmed",
    "Fatima",
    "Tyrone",
    "Keisha",
    "Samuel",
    "Grace",
    "Marcus",
    "Leticia",
    "Hector",
    "Yolanda",
    "Andre",
    "Tiffany",
    "Omar",
    "Layla",
    "Ricardo",
    "Gloria",
    "Wei",
    "Lin",
    "Darnell",
    "Erica",
    "Jesus",
    "Guadalupe",
)
LAST_NAMES = (
    "Garcia",
    "Martinez",
    "Smith",
    "Johnson",
    "Hernandez",
    "Lopez",
    "Williams",
    "Brown",
    "Nguyen",
    "Rodriguez",
    "Gonzalez",
    "Perez",
    "Sanchez",
    "Ramirez",
    "Torres",
    "Flores",
    "Rivera",
    "Davis",
    "Miller",
    "Wilson",
    "Anderson",
    "Thomas",
    "Jackson",
    "White",
    "Harris",
    "Tran",
    "Le",
    "Pham",
    "Kim",
    "Lee",
    "Cruz",
    "Reyes",
    "Morales",
    "Ortiz",
    "Gutierrez",
    "Chavez",
    "Ramos",
    "Mendoza",
    "Ali",
    "Hassan",
    "Washington",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
)
STREETS = (
    "Main St",
    "Broadway",
    "El Cajon Blvd",
    "University Ave",
    "Imperial Ave",
    "Market St",
    "Mission Ave",
    "Oceanside Blvd",
    "Palm Ave",
    "Euclid Ave",
    "Adams Ave",
    "Park Blvd",
    "Highland Ave",
    "Jamacha Rd",
)
CITIES = (
    ("San Diego", "92101"),
    ("San Diego", "92113"),
    ("San Diego", "92105"),
    ("Chula Vista", "91910"),
    ("El Cajon", "92020"),
    ("Escondido", "92025"),
    ("Oceanside", "92054"),
    ("National City", "91950"),
    ("Vista", "92083"),
    ("La Mesa", "91942"),
    ("Santee", "92071"),
    ("Spring Valley", "91977-1234"),
)

# Rule codes planted, in DOMAIN.md's order; `DemoSummary.planted` counts services per code.
PLANTED_RULES = (
    "FINANCIAL_INFO_INCOMPLETE",
    "DX_NONE_IN_PROGRAM",
    "DX_EFFECTIVE_AFTER_DOS",
    "DX_ENDED_BEFORE_DOS",
    "DX_NOT_SIGNED",
    "NOTE_NOT_SIGNED",
    "NOT_ENROLLED_ON_DOS",
    "NO_COVERAGE",
    "INSURED_ID_MISSING",
    "SUBSCRIBER_NOT_CLIENT",
    "ADDRESS_INCOMPLETE",
    "CLINICIAN_NOT_CREDENTIALED",
    "CREDENTIAL_EXPIRED",
    "NO_MATCHING_RATE",
    "ZERO_UNITS",
    "AUTHORIZATION_REQUIRED",
    "AUTHORIZATION_EXHAUSTED",
    "FREQUENCY_LIMIT_EXCEEDED",
    "DAILY_MAXIMUM_EXCEEDED",
    "MCP_ENROLLMENT_REQUIRED",
    "PREREQUISITE_NOT_MET",
    "DUPLICATE_SERVICE",
    "TIMELY_FILING_LIMIT",
    "BILLED_AMOUNT_INVALID",
)

# DOMAIN.md: a non-billable procedure is checked only by these rules.
NON_BILLABLE_RULES = frozenset(
    {
        "DX_NONE_IN_PROGRAM",
        "DX_EFFECTIVE_AFTER_DOS",
        "DX_ENDED_BEFORE_DOS",
        "DX_NOT_SIGNED",
        "NOTE_NOT_SIGNED",
        "NOT_ENROLLED_ON_DOS",
        "CLINICIAN_NOT_CREDENTIALED",
        "CREDENTIAL_EXPIRED",
        "DUPLICATE_SERVICE",
    }
)


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


# --- the generator ---------------------------------------------------------------------------------


def _month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(day: dt.date) -> dt.date:
    return _month_start(day, -1) - dt.timedelta(days=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month."""
    first = _month_start(day, -months)
    return min(first + dt.timedelta(days=day.day - 1), _month_end(first))


def with_check_digit(first_nine: str) -> str:
    """A valid NPI from nine digits (claims need the check digit)."""
    return first_nine + npi_check_digit(first_nine)


def units_for(unit: str, start: dt.datetime, minutes: int) -> Decimal:
    """Units as DOMAIN.md computes them (15-minute Medi-Cal units with the midpoint rule)."""
    if unit == U.MINUTE:
        return Decimal((minutes + 7) // 15)
    if unit == U.DAY:
        zone = start.tzinfo
        end = start + dt.timedelta(minutes=minutes)
        return Decimal((end.astimezone(zone).date() - start.date()).days + 1)
    return Decimal(1)


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


class _County:
    def __init__(self, rng: random.Random, *, today: dt.date, n_clients: int) -> None:
        self.rng = rng
        self.today = today
        self.yesterday = today - dt.timedelta(days=1)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.n_clients = n_clients
        self.scale = n_clients / DEFAULT_CLIENTS
        self.window_start = _month_start(today, 5)  # six calendar months including this one
        self.prev_month = _month_start(today, 1)
        self.claim_before = _month_start(today, 2)
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
        self.specs = {spec.key: spec for spec in PROCEDURES}
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

    def rate_amount(self, spec: ProcedureSpec, dos: dt.date) -> Decimal:
        assert spec.amount is not None
        amount = Decimal(spec.amount)
        if spec.fiscal_year_change and dos < self.fy_start:
            amount = (amount * Decimal("0.96")).quantize(Decimal("0.01"))
        return amount

    def clinician_for(self, cp: _ClientPlan, spec: ProcedureSpec, dos: dt.date) -> Staff | None:
        pool = [
            s
            for s in self.staff[cp.agency]
            if (not spec.credentials or s.credential in spec.credentials)
            and (s.credential_expires is None or s.credential_expires >= dos)
        ]
        return self.rng.choice(pool) if pool else None

    def add_service(
        self,
        cp: _ClientPlan,
        ep: _EnrollmentPlan,
        key: str,
        day: dt.date,
        *,
        minutes: int,
        hour: int | None = None,
        clinician: Staff | None = None,
        other_status: str | None = None,
    ) -> _ServicePlan | None:
        spec = self.specs[key]
        clinician = clinician or self.clinician_for(cp, spec, day)
        if clinician is None:
            return None
        hour = hour if hour is not None else self.rng.randint(8, 16)
        minute = self.rng.choice((0, 15, 30, 45))
        start = self.at(day, hour, minute)
        while start in cp.used_starts:
            start += dt.timedelta(minutes=15)
        cp.used_starts.add(start)
        location = self.locations[3] if cp.homeless and self.rng.random() < 0.5 else self.rng.choice(self.locations[:3])
        obj = Service(
            client=cp.obj,
            program=ep.obj.program,
            procedure=self.procedures[key],
            clinician=clinician,
            location=location,
            start=start,
            duration_minutes=minutes,
            mode_of_delivery=Service.ModeOfDelivery.TELEHEALTH_VIDEO
            if location.place_of_service == "10"
            else Service.ModeOfDelivery.IN_PERSON,
            note_signed=True,
        )
        plan = _ServicePlan(obj=obj, dos=day, spec=spec, other_status=other_status)
        cp.services.append(plan)
        return plan

    # -- reference data ---------------------------------------------------------------------------

    def build(self) -> None:
        self.build_reference_data()
        for index in range(self.n_clients):
            self.build_client(index)
        self.plant_problems()
        self.settle_statuses()

    def build_reference_data(self) -> None:
        rng = self.rng
        for index, (name, prefix, city, zip_code, types) in enumerate(AGENCIES):
            agency = Agency(
                name=name,
                address_street=f"{100 + 50 * index} Harbor Drive",
                address_city=city,
                address_state="CA",
                address_zip=zip_code,
                npi=with_check_digit(f"1{700000000 + index:08d}"[:9]),
                tax_id=f"33-{1000000 + index:07d}",
            )
            self.agencies.append(agency)
            for program_type in types:
                suffix, title = PROGRAM_NAMES[program_type]
                self.programs[(index, program_type)] = Program(
                    agency=agency,
                    code=f"{prefix}-{suffix}",
                    name=f"{name.split()[0]} {title}",
                    program_type=program_type,
                )
            team = []
            for slot, credential in enumerate(STAFF_CREDENTIALS):
                expires: dt.date | None = None
                if credential in (Cred.LPHA, Cred.PRESCRIBER, Cred.SUD_CERTIFIED, Cred.SUD_REGISTERED):
                    expires = self.today + dt.timedelta(days=rng.randint(60, 720))
                if EXPIRED_STAFF_SLOT.get(index) == slot:
                    expires = self.today - dt.timedelta(days=rng.randint(25, 45))
                team.append(
                    Staff(
                        agency=agency,
                        first_name=rng.choice(FIRST_NAMES),
                        last_name=rng.choice(LAST_NAMES),
                        credential=credential,
                        credential_expires=expires,
                        npi=with_check_digit(f"1{rng.randint(100000000, 999999999)}"[:9])
                        if credential != Cred.OTHER
                        else "",
                    )
                )
            self.staff.append(team)
        self.locations = [Location(name=name, place_of_service=pos) for name, pos in LOCATIONS]
        self.payers = {kind: Payer(name=name, payer_type=kind, payer_id=payer_id) for name, kind, payer_id in PAYERS}
        for spec in PROCEDURES:
            self.procedures[spec.key] = Procedure(
                code=spec.code,
                modifier=spec.modifier,
                name=spec.name,
                billable=spec.billable,
                requires_note=True,
                requires_authorization=spec.requires_authorization,
                allowed_credentials=list(spec.credentials),
                unit=spec.unit,
                transition_days=spec.transition_days,
            )
            if spec.amount is None:
                continue
            long_ago = _add_months(self.fy_start, -36)
            if spec.fiscal_year_change:
                self.rates.append(
                    Rate(
                        procedure=self.procedures[spec.key],
                        start_date=long_ago,
                        end_date=self.fy_start - dt.timedelta(days=1),
                        amount=self.rate_amount(spec, self.fy_start - dt.timedelta(days=1)),
                    )
                )
                self.rates.append(
                    Rate(procedure=self.procedures[spec.key], start_date=self.fy_start, amount=spec.amount)
                )
            else:
                self.rates.append(
                    Rate(
                        procedure=self.procedures[spec.key],
                        start_date=long_ago,
                        amount=spec.amount,
                        is_maximum=spec.maximum,
                    )
                )
        p = self.procedures
        L = ProcedureLimit.Period
        self.limits = [
            ProcedureLimit(procedure=p["ECM_ENROLL"], max_count=1, period=L.LIFETIME),
            ProcedureLimit(procedure=p["ECM_CM"], max_count=1, period=L.MONTH),
            ProcedureLimit(procedure=p["HOUSING_NAV"], max_count=1, period=L.MONTH),
            ProcedureLimit(procedure=p["HOUSING_DEP"], max_count=1, period=L.LIFETIME),
            ProcedureLimit(procedure=p["HOUSING_DEP"], prerequisite_procedure=p["HOUSING_NAV"], prerequisite_months=2),
            ProcedureLimit(procedure=p["FIN_MGMT"], max_count=2, period=L.MONTH, distinct_dates=True),
            ProcedureLimit(procedure=p["CRISIS"], max_minutes=8 * 60, period=L.DAY),
            ProcedureLimit(procedure=p["MEDS"], max_minutes=4 * 60, period=L.DAY),
        ]

    # -- clients ----------------------------------------------------------------------------------

    def build_client(self, index: int) -> None:
        rng = self.rng
        primary = rng.choices((PT.MH, PT.SUD, PT.ECM, PT.CS), weights=(42, 23, 17, 18))[0]
        agencies = [i for i, a in enumerate(AGENCIES) if primary in a[4]]
        agency = rng.choices(agencies, weights=[(40, 30, 30)[i] for i in agencies])[0]
        tenure = rng.choices(("long", "mid", "new"), weights=(30, 45, 25))[0]
        if tenure == "long":
            enrolled = self.today - dt.timedelta(days=rng.randint(540, 1080))
        elif tenure == "mid":
            enrolled = self.today - dt.timedelta(days=rng.randint(215, 520))
        else:
            enrolled = self.random_day(self.window_start, self.today - dt.timedelta(days=21))
        subtype = ""
        if primary == PT.CS:
            subtype = rng.choices(("homeless", "housed", "recuperative"), weights=(50, 40, 10))[0]
        homeless = subtype in ("homeless", "recuperative") or (primary == PT.ECM and rng.random() < 0.3)
        city, zip_code = rng.choice(CITIES)
        agency_row = self.agencies[agency]
        self.ssn_counter += 1
        client = Client(
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            date_of_birth=dt.date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28)),
            address_street="HOMELESS" if homeless else f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
            # A homeless client's city, state and zip are the agency's.
            address_city=agency_row.address_city if homeless else city,
            address_state="CA",
            address_zip=agency_row.address_zip if homeless else zip_code,
            billing_address=True,
            financial_info_complete=True,
        )
        if rng.random() < 0.9:
            # A valid SSN (entry refuses areas 000, 666 and 9xx, group 00, serial 0000): area 100-199,
            # drawn with the same calls as before so a seed still builds the same county.
            client.set_ssn(f"1{rng.randint(0, 99):02d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}")
        cp = _ClientPlan(
            obj=client, agency=agency, tenure=tenure, enrolled=enrolled, subtype=subtype, homeless=homeless
        )
        types = [primary]
        if primary == PT.MH and rng.random() < 0.2:
            second = PT.ECM if (agency, PT.ECM) in self.programs else PT.SUD
            types.append(second)
        elif primary == PT.SUD and rng.random() < 0.1:
            types.append(PT.MH)
        for position, program_type in enumerate(types):
            enrolled_on = (
                enrolled if position == 0 else max(enrolled, self.window_start) + dt.timedelta(days=rng.randint(0, 40))
            )
            enrolled_on = min(enrolled_on, self.today - dt.timedelta(days=14))
            self.enroll(cp, program_type, enrolled_on)
        self.cover(cp)
        self.clients.append(cp)
        # Some clients finished treatment during the window: a clean discharge with no services after it.
        discharge: dt.date | None = None
        if tenure != "new" and rng.random() < 0.06:
            discharge = self.random_day(self.window_start + dt.timedelta(days=30), self.today - dt.timedelta(days=30))
            ep = cp.primary()
            ep.obj.status = Enrollment.Status.DISCHARGED
            ep.obj.discharged_date = discharge
        for ep in cp.enrollments:
            first = max(ep.obj.enrolled_date or enrolled, self.window_start)
            last = self.yesterday if ep.obj.discharged_date is None else ep.obj.discharged_date
            self.services_for(cp, ep, first, last)
        if discharge is not None and cp.primary().program_type == PT.SUD:
            # Transition care: a warm hand-off to the next level of care after discharge (30 days).
            handoff = self.weekday_on_or_after(discharge + dt.timedelta(days=rng.randint(3, 25)))
            self.add_service(cp, cp.primary(), "CARE_COORD", handoff, minutes=30)

    def enroll(self, cp: _ClientPlan, program_type: str, enrolled_on: dt.date) -> None:
        program = self.programs[(cp.agency, program_type)]
        enrollment = Enrollment(
            client=cp.obj,
            program=program,
            status=Enrollment.Status.ENROLLED,
            requested_date=enrolled_on - dt.timedelta(days=self.rng.randint(0, 14)),
            enrolled_date=enrolled_on,
        )
        ep = _EnrollmentPlan(obj=enrollment, program_type=program_type)
        codes = self.rng.sample(DX_CODES[program_type], k=self.rng.randint(1, 3))
        document = DiagnosisDocument(
            client=cp.obj,
            program=program,
            effective_date=enrolled_on,
            signed=True,
            signed_at=self.at(enrolled_on, 12),
        )
        document._demo_codes = codes  # type: ignore[attr-defined]
        ep.dx.append(document)
        cp.enrollments.append(ep)

    def cover(self, cp: _ClientPlan) -> None:
        rng = self.rng
        start = cp.enrolled - dt.timedelta(days=rng.randint(0, 365))
        kinds: list[str] = []
        if rng.random() < 0.08:
            kinds.append(Payer.PayerType.OHC)
        if PT.MH in cp.types() and rng.random() < 0.15:
            kinds.append(Payer.PayerType.MEDICARE)
        if PT.MH in cp.types():
            kinds.append(Payer.PayerType.MEDI_CAL)
        if PT.SUD in cp.types():
            kinds.append(Payer.PayerType.MEDI_CAL_DMC)
        if cp.types() & {PT.ECM, PT.CS}:
            kinds.append(Payer.PayerType.MCP)
        for priority, kind in enumerate(kinds, start=1):
            if kind == Payer.PayerType.MEDICARE:
                insured = f"{rng.randint(1, 9)}EG{rng.randint(1, 9)}TE{rng.randint(1, 9)}MK{rng.randint(10, 99)}"
            elif kind == Payer.PayerType.OHC:
                insured = f"XEH{rng.randint(100000000, 999999999)}"
            else:
                insured = self.cin()
            cp.coverages.append(
                Coverage(
                    client=cp.obj,
                    payer=self.payers[kind],
                    priority=priority,
                    start_date=start,
                    insured_id=insured,
                    subscriber_is_client=True,
                )
            )

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

    def visit_days(self, first: dt.date, last: dt.date, every: tuple[int, int]) -> list[dt.date]:
        days = []
        day = first + dt.timedelta(days=self.rng.randint(0, every[1] - 1))
        while day <= last:
            weekday = self.weekday_on_or_after(day)
            if weekday <= last:
                days.append(weekday)
            day = weekday + dt.timedelta(days=self.rng.randint(*every))
        return days

    def months(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
        """(first, last) day of each calendar month overlapping [first, last], clipped to it."""
        spans = []
        month = _month_start(first)
        while month <= last:
            spans.append((max(month, first), min(_month_end(month), last)))
            month = _month_start(month, -1)
        return spans

    def services_for(self, cp: _ClientPlan, ep: _EnrollmentPlan, first: dt.date, last: dt.date) -> None:
        rng = self.rng
        is_new = ep.obj.enrolled_date is not None and ep.obj.enrolled_date >= self.window_start
        if first > last:
            return
        if ep.program_type in (PT.MH, PT.SUD):
            mh = ep.program_type == PT.MH
            if is_new:
                self.add_service(
                    cp,
                    ep,
                    "ASSESS_MH" if mh else "ASSESS_SUD",
                    self.weekday_on_or_after(first),
                    minutes=rng.randint(60, 90),
                )
            for day in self.visit_days(first + dt.timedelta(days=3 if is_new else 0), last, (5, 11) if mh else (4, 9)):
                other = rng.choices((None, "no_show", "cancel", "error"), weights=(955, 25, 15, 5))[0]
                roll = rng.random()
                if mh:
                    if roll < 0.38:
                        self.add_service(cp, ep, "PSYTX45", day, minutes=rng.randint(38, 52), other_status=other)
                    elif roll < 0.52:
                        self.add_service(cp, ep, "PSYTX60", day, minutes=rng.randint(53, 68), other_status=other)
                    elif roll < 0.82:
                        self.add_service(
                            cp, ep, "TCM", day, minutes=rng.choice((15, 20, 25, 30, 45, 60)), other_status=other
                        )
                    elif roll < 0.92:
                        self.add_service(cp, ep, "MEDS", day, minutes=rng.choice((15, 20, 30, 45)), other_status=other)
                    elif roll < 0.96:
                        self.add_service(cp, ep, "CRISIS", day, minutes=rng.randint(60, 180))
                    else:
                        self.add_service(cp, ep, "NONBILL", day, minutes=rng.randint(5, 20), other_status=other)
                else:
                    if roll < 0.55:
                        self.add_service(
                            cp, ep, "SUD_COUNSEL", day, minutes=rng.choice((30, 45, 50, 60)), other_status=other
                        )
                    elif roll < 0.9:
                        self.add_service(
                            cp, ep, "CARE_COORD", day, minutes=rng.choice((15, 20, 30, 40)), other_status=other
                        )
                    else:
                        self.add_service(cp, ep, "NONBILL", day, minutes=rng.randint(5, 20), other_status=other)
            if rng.random() < 0.4 and ep.obj.discharged_date is None:
                day = self.weekday_on_or_after(self.today + dt.timedelta(days=rng.randint(1, 14)))
                self.add_service(cp, ep, "PSYTX45" if mh else "SUD_COUNSEL", day, minutes=45, other_status="scheduled")
            return
        months = self.months(first, last)
        if ep.program_type == PT.ECM:
            # The plan's TARs (seeds: enrollment 1, presumptive for a new client; case management 999).
            self.authorize(cp, "ECM_CM", _month_start(first), _month_end(last), 999)
            if is_new:
                self.authorize(cp, "ECM_ENROLL", first, _month_end(last), 1, tar_number="", presumptive=True)
                self.add_service(cp, ep, "ECM_ENROLL", self.weekday_on_or_after(first), minutes=60)
            for month_first, month_last in months:
                day = self.weekday_on_or_after(self.random_day(month_first, month_last))
                if day <= month_last:
                    self.add_service(cp, ep, "ECM_CM", day, minutes=rng.randint(30, 90))
            for day in self.visit_days(first, last, (14, 28)):
                self.add_service(cp, ep, "NONBILL", day, minutes=rng.randint(5, 20))
            return
        # Community Supports: a TAR per six-month span for the procedures that need one.
        auth_first = _month_start(first)
        auth_last = _month_end(_add_months(auth_first, 5))
        if cp.subtype == "homeless":
            self.authorize(cp, "HOUSING_NAV", auth_first, auth_last, 6)
            nav_months = 0
            deposit_done = False
            for month_first, month_last in months:
                day = self.weekday_on_or_after(self.random_day(month_first, month_last))
                if day > month_last:
                    continue
                self.add_service(cp, ep, "HOUSING_NAV", day, minutes=rng.randint(45, 120))
                nav_months += 1
                if nav_months >= 3 and not deposit_done and rng.random() < 0.25:
                    deposit_day = self.weekday_on_or_after(day + dt.timedelta(days=1))
                    if deposit_day <= month_last:
                        self.add_deposit(cp, ep, deposit_day)
                        deposit_done = True
        elif cp.subtype == "housed":
            self.authorize(cp, "TENANCY", auth_first, auth_last, 6)
            self.authorize(cp, "FIN_MGMT", auth_first, auth_last, 12)
            for month_first, month_last in months:
                day = self.weekday_on_or_after(self.random_day(month_first, month_last))
                if day <= month_last:
                    self.add_service(cp, ep, "TENANCY", day, minutes=rng.randint(30, 90))
                fin_days = sorted(
                    {self.weekday_on_or_after(self.random_day(month_first, month_last)) for _ in range(2)}
                )
                for fin_day in [d for d in fin_days if d <= month_last][:2]:
                    self.add_service(cp, ep, "FIN_MGMT", fin_day, minutes=rng.randint(30, 60))
        else:
            # Recuperative care after a hospital stay, billed in weekly spans, then post-hospitalization housing.
            stay = self.random_day(first, max(first, last - dt.timedelta(days=70)))
            self.authorize(cp, "RECUP", stay, stay + dt.timedelta(days=89), 90)
            post_first = stay + dt.timedelta(days=56)
            self.authorize(cp, "POST_HOSP", post_first, _add_months(post_first, 6), 180)
            for week in range(8):
                day = stay + dt.timedelta(days=7 * week)
                if day + dt.timedelta(days=6) <= last:
                    self.add_service(cp, ep, "RECUP", day, minutes=6 * 24 * 60 + 60, hour=9)
            day = post_first
            while day + dt.timedelta(days=13) <= last:
                self.add_service(cp, ep, "POST_HOSP", day, minutes=13 * 24 * 60 + 60, hour=9)
                day += dt.timedelta(days=14)
        for day in self.visit_days(first, last, (20, 40)):
            self.add_service(cp, ep, "NONBILL", day, minutes=rng.randint(5, 20))

    def add_deposit(
        self, cp: _ClientPlan, ep: _EnrollmentPlan, day: dt.date, amount: Decimal | None = None
    ) -> _ServicePlan | None:
        """A housing deposit under its own TAR (quantity 1, two months from the day), billed at the
        amount paid (the rate is a maximum)."""
        self.authorize(cp, "HOUSING_DEP", day, _add_months(day, 2), 1)
        sp = self.add_service(cp, ep, "HOUSING_DEP", day, minutes=30)
        if sp:
            sp.obj.billed_amount = amount or Decimal(self.rng.randrange(1200, 4800, 25))
        return sp

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

    # -- planted problems -------------------------------------------------------------------------

    def past(self, sp: _ServicePlan) -> bool:
        return sp.other_status is None and sp.dos <= self.yesterday

    def mark(
        self,
        cp: _ClientPlan,
        code: str,
        *,
        program_type: str | None = None,
        after: dt.date | None = None,
        before: dt.date | None = None,
        key: str | None = None,
    ) -> int:
        marked = 0
        for sp in cp.services:
            if not self.past(sp):
                continue
            if program_type is not None and sp.obj.program.program_type != program_type:
                continue
            if after is not None and sp.dos <= after:
                continue
            if before is not None and sp.dos >= before:
                continue
            if not sp.spec.billable and code not in NON_BILLABLE_RULES:
                continue
            if key is not None and sp.spec.key != key:
                continue
            sp.planted.add(code)
            marked += 1
        return marked

    def pick_clients(self, count: int, code: str, predicate: Callable[[_ClientPlan], bool]) -> list[_ClientPlan]:
        pool = [
            cp for cp in self.clients if not cp.defect and predicate(cp) and any(self.past(sp) for sp in cp.services)
        ]
        picked = self.rng.sample(pool, k=min(count, len(pool)))
        for cp in picked:
            cp.defect = code
        return picked

    def pick_services(
        self, count: int, predicate: Callable[[_ClientPlan, _ServicePlan], bool]
    ) -> list[tuple[_ClientPlan, _ServicePlan]]:
        """Clean past services of clients without a client-level problem."""
        pool = [
            (cp, sp)
            for cp in self.clients
            if not cp.defect
            for sp in cp.services
            if self.past(sp) and not sp.planted and not sp.locked and predicate(cp, sp)
        ]
        return self.rng.sample(pool, k=min(count, len(pool)))

    def plant_problems(self) -> None:
        rng = self.rng
        new = lambda cp: cp.tenure == "new"  # noqa: E731
        settled = lambda cp: cp.tenure != "new"  # noqa: E731
        medi_cal_only = lambda cp: not (cp.types() & {PT.ECM, PT.CS})  # noqa: E731

        # Client-level problems on new clients (few services each).
        for cp in self.pick_clients(self.n(3), "FINANCIAL_INFO_INCOMPLETE", new):
            cp.obj.financial_info_complete = False
            self.mark(cp, "FINANCIAL_INFO_INCOMPLETE")
        variants = ("one_line", "short_zip", "no_billing_box", "no_city", "bad_state")
        for number, cp in enumerate(
            self.pick_clients(self.n(6), "ADDRESS_INCOMPLETE", lambda cp: new(cp) and not cp.homeless)
        ):
            c = cp.obj
            variant = variants[number % len(variants)]
            if variant == "one_line":
                c.address_street = f"{c.address_street}, {c.address_city}, CA {c.address_zip}"
                c.address_city = c.address_state = c.address_zip = ""
            elif variant == "short_zip":
                c.address_zip = c.address_zip[:4]
            elif variant == "no_billing_box":
                c.billing_address = False
            elif variant == "no_city":
                c.address_city = ""
            else:
                c.address_state = "C1"
            self.mark(cp, "ADDRESS_INCOMPLETE")
        for cp in self.pick_clients(self.n(3), "INSURED_ID_MISSING", new):
            cp.coverages[-1].insured_id = ""
            self.mark(cp, "INSURED_ID_MISSING")
        for cp in self.pick_clients(self.n(3), "SUBSCRIBER_NOT_CLIENT", lambda cp: new(cp) and medi_cal_only(cp)):
            cp.coverages[-1].subscriber_is_client = False
            self.mark(cp, "SUBSCRIBER_NOT_CLIENT")
        for cp in self.pick_clients(self.n(3), "DX_NONE_IN_PROGRAM", new):
            cp.primary().dx.clear()
            self.mark(cp, "DX_NONE_IN_PROGRAM", program_type=cp.primary().program_type)
        for cp in self.pick_clients(self.n(12), "DX_EFFECTIVE_AFTER_DOS", new):
            ep = cp.primary()
            days = sorted({sp.dos for sp in cp.services if self.past(sp) and sp.obj.program is ep.obj.program})
            if len(days) < 2:
                continue
            effective = days[min(2, len(days) - 1)]
            ep.dx[0].effective_date = effective
            ep.dx[0].signed_at = self.at(effective, 12)
            self.mark(cp, "DX_EFFECTIVE_AFTER_DOS", program_type=ep.program_type, before=effective)
        for cp in self.pick_clients(self.n(1), "NOT_ENROLLED_ON_DOS", new):
            ep = cp.primary()
            ep.obj.status = Enrollment.Status.REQUESTED
            ep.obj.enrolled_date = None
            self.mark(cp, "NOT_ENROLLED_ON_DOS", program_type=ep.program_type)

        # Client-level problems that start on a cut-off date a few weeks ago.
        def cutoff(low: int, high: int) -> dt.date:
            return self.today - dt.timedelta(days=rng.randint(low, high))

        active = lambda cp: settled(cp) and cp.primary().obj.status == Enrollment.Status.ENROLLED  # noqa: E731
        for cp in self.pick_clients(self.n(12), "NOT_ENROLLED_ON_DOS", active):
            ep, day = cp.primary(), cutoff(12, 30)
            ep.obj.status = Enrollment.Status.DISCHARGED
            ep.obj.discharged_date = day
            cp.services = [
                sp for sp in cp.services if not (sp.other_status == "scheduled" and sp.obj.program is ep.obj.program)
            ]
            self.mark(cp, "NOT_ENROLLED_ON_DOS", program_type=ep.program_type, after=day)
            for sp in cp.services:
                # Care coordination within its transition days of the discharge still bills.
                if sp.dos <= day + dt.timedelta(days=sp.spec.transition_days):
                    sp.planted.discard("NOT_ENROLLED_ON_DOS")
        for cp in self.pick_clients(self.n(10), "NO_COVERAGE", lambda cp: active(cp) and medi_cal_only(cp)):
            day = cutoff(15, 40)
            for coverage in cp.coverages:
                coverage.end_date = day
            self.mark(cp, "NO_COVERAGE", after=day)
        for cp in self.pick_clients(
            self.n(12),
            "MCP_ENROLLMENT_REQUIRED",
            lambda cp: active(cp) and cp.primary().program_type in (PT.ECM, PT.CS),
        ):
            day = cutoff(20, 60)
            mcp = next(c for c in cp.coverages if c.payer.payer_type == Payer.PayerType.MCP)
            mcp.end_date = day
            cp.coverages.append(
                Coverage(
                    client=cp.obj,
                    payer=self.payers[Payer.PayerType.MEDI_CAL],
                    priority=max(c.priority for c in cp.coverages) + 1,
                    start_date=day + dt.timedelta(days=1),
                    insured_id=self.cin(),
                )
            )
            self.mark(cp, "MCP_ENROLLMENT_REQUIRED", program_type=cp.primary().program_type, after=day)
        for cp in self.pick_clients(
            self.n(10), "DX_ENDED_BEFORE_DOS", lambda cp: active(cp) and cp.primary().program_type in (PT.MH, PT.SUD)
        ):
            ep, day = cp.primary(), cutoff(20, 50)
            ep.dx[0].end_date = day
            self.mark(cp, "DX_ENDED_BEFORE_DOS", program_type=ep.program_type, after=day)
        for cp in self.pick_clients(self.n(10), "DX_NOT_SIGNED", active):
            ep, day = cp.primary(), cutoff(20, 50)
            old = ep.dx[0]
            old.end_date = day - dt.timedelta(days=1)
            renewed = DiagnosisDocument(client=cp.obj, program=old.program, effective_date=day, signed=False)
            renewed._demo_codes = old._demo_codes  # type: ignore[attr-defined]
            ep.dx.append(renewed)
            self.mark(cp, "DX_NOT_SIGNED", program_type=ep.program_type, before=None, after=day - dt.timedelta(days=1))

        # Authorizations: a TAR that ran out two months ago with its renewal still in progress, and
        # TARs approved for fewer months than were served.
        for key, subtype, count in (("HOUSING_NAV", "homeless", 6), ("TENANCY", "housed", 3)):

            def of_subtype(cp: _ClientPlan, subtype: str = subtype) -> bool:
                return active(cp) and cp.subtype == subtype

            for cp in self.pick_clients(self.n(count), "AUTHORIZATION_REQUIRED", of_subtype):
                auth = next(a for a in cp.auths if a.procedure is self.procedures[key])
                auth.end_date = self.prev_month - dt.timedelta(days=1)
                self.authorize(
                    cp,
                    key,
                    self.prev_month,
                    _month_end(_add_months(self.prev_month, 5)),
                    6,
                    status=Authorization.Status.IN_PROGRESS,
                )
                self.mark(cp, "AUTHORIZATION_REQUIRED", key=key, after=auth.end_date)
        for cp in self.pick_clients(
            self.n(6), "AUTHORIZATION_EXHAUSTED", lambda cp: active(cp) and cp.subtype == "homeless"
        ):
            auth = next(a for a in cp.auths if a.procedure is self.procedures["HOUSING_NAV"])
            served = sorted(
                (sp for sp in cp.services if sp.spec.key == "HOUSING_NAV" and self.past(sp)),
                key=lambda sp: sp.obj.start,
            )
            auth.quantity = max(1, len(served) - 2)
            for sp in served[auth.quantity :]:
                sp.planted.add("AUTHORIZATION_EXHAUSTED")

        # Service-level problems on clients without a client-level one.
        for _cp, sp in self.pick_services(self.n(95), lambda cp, sp: True):
            sp.obj.note_signed = False
            sp.planted.add("NOTE_NOT_SIGNED")
        minute_keys = {"TCM", "MEDS", "SUD_COUNSEL", "CARE_COORD"}
        for _cp, sp in self.pick_services(self.n(55), lambda cp, sp: sp.spec.key in minute_keys):
            sp.obj.duration_minutes = rng.randint(2, 7)
            sp.planted.add("ZERO_UNITS")
        credentialed = {"PSYTX45", "PSYTX60", "SUD_COUNSEL", "CARE_COORD", "MEDS"}
        for cp, sp in self.pick_services(self.n(55), lambda cp, sp: sp.spec.key in credentialed):
            unqualified = [s for s in self.staff[cp.agency] if s.credential in (Cred.PEER, Cred.OTHER)]
            sp.obj.clinician = rng.choice(unqualified)
            sp.planted.add("CLINICIAN_NOT_CREDENTIALED")
        expired = {index: self.staff[index][slot] for index, slot in EXPIRED_STAFF_SLOT.items()}

        def lapsed(cp: _ClientPlan, sp: _ServicePlan) -> bool:
            staff = expired[cp.agency]
            assert staff.credential_expires is not None
            allowed = not sp.spec.credentials or staff.credential in sp.spec.credentials
            return allowed and sp.dos > staff.credential_expires

        for cp, sp in self.pick_services(self.n(50), lapsed):
            sp.obj.clinician = expired[cp.agency]
            sp.planted.add("CREDENTIAL_EXPIRED")

        # New services that fail: engagement (no rate), second monthly ECM visits, crisis over 8 hours...
        mh_sud = [
            cp
            for cp in self.clients
            if not cp.defect
            and cp.primary().program_type in (PT.MH, PT.SUD)
            and cp.primary().obj.status == Enrollment.Status.ENROLLED
        ]
        for _ in range(self.n(45)):
            cp = rng.choice(mh_sud)
            ep = cp.primary()
            day = self.weekday_on_or_after(
                self.random_day(
                    max(ep.obj.enrolled_date or cp.enrolled, self.window_start), self.today - dt.timedelta(days=4)
                )
            )
            engagement = self.add_service(cp, ep, "ENGAGE", day, minutes=rng.randint(20, 60))
            if engagement:
                engagement.planted.add("NO_MATCHING_RATE")
        self.plant_frequency()
        self.plant_daily_maximum(mh_sud)
        self.plant_billed_amount()
        self.plant_prerequisite()
        repeatable = {"PSYTX45", "PSYTX60", "TCM", "SUD_COUNSEL", "CARE_COORD"}
        for cp, sp in self.pick_services(self.n(55), lambda cp, sp: sp.spec.key in repeatable):
            sp.locked = True
            original = sp.obj
            copy = Service(
                client=original.client,
                program=original.program,
                procedure=original.procedure,
                clinician=original.clinician,
                location=original.location,
                start=original.start,
                duration_minutes=original.duration_minutes,
                mode_of_delivery=original.mode_of_delivery,
                note_signed=True,
            )
            cp.services.append(
                _ServicePlan(obj=copy, dos=sp.dos, spec=sp.spec, planted={"DUPLICATE_SERVICE"}, late=True)
            )
        self.plant_timely_filing()

    def plant_frequency(self) -> None:
        rng = self.rng
        options = []
        for cp in self.clients:
            if cp.defect:
                continue
            for sp in cp.services:
                # Not ECM enrollment (TAR quantity 1) nor financial management (12 for twice a month
                # over six months): an extra would use up the TAR too, a second reason.
                if self.past(sp) and not sp.planted and sp.spec.key == "ECM_CM":
                    options.append((cp, sp))
        for cp, sp in rng.sample(options, k=min(self.n(60), len(options))):
            ep = next(e for e in cp.enrollments if e.obj.program is sp.obj.program)
            if sp.spec.key == "FIN_MGMT":
                # A second service on the same date is an extra (distinct dates). Only on the month's
                # last one, so that no later service of the month is pushed over the limit too.
                later = [o for o in cp.services if o.spec.key == "FIN_MGMT" and sp.dos < o.dos <= _month_end(sp.dos)]
                if later:
                    continue
                day = sp.dos
            else:
                day = self.weekday_on_or_after(sp.dos + dt.timedelta(days=rng.randint(1, 10)))
                if sp.spec.key == "ECM_CM" and (day > _month_end(sp.dos)):
                    continue
            discharged = ep.obj.discharged_date
            if day > self.yesterday or (discharged is not None and day > discharged):
                continue
            sp.locked = True
            extra = self.add_service(cp, ep, sp.spec.key, day, minutes=rng.randint(30, 60), hour=17)
            if extra:
                extra.planted.add("FREQUENCY_LIMIT_EXCEEDED")

    def plant_billed_amount(self) -> None:
        """Housing deposits after two months of navigation whose billed amount is blank or above the
        5,000.00 maximum (BILLED_AMOUNT_INVALID)."""

        def ready(cp: _ClientPlan) -> bool:
            months = {_month_start(sp.dos) for sp in cp.services if sp.spec.key == "HOUSING_NAV" and self.past(sp)}
            return (
                cp.subtype == "homeless"
                and cp.primary().obj.status == Enrollment.Status.ENROLLED
                and len(months) >= 2
                and not any(sp.spec.key == "HOUSING_DEP" for sp in cp.services)
            )

        for number, cp in enumerate(self.pick_clients(self.n(8), "BILLED_AMOUNT_INVALID", ready)):
            # The day after the navigation visit of the second month: two months of it came first.
            navigation = sorted(sp.dos for sp in cp.services if sp.spec.key == "HOUSING_NAV" and self.past(sp))
            second_month = sorted({_month_start(day) for day in navigation})[1]
            second_visit = min(day for day in navigation if _month_start(day) == second_month)
            day = self.weekday_on_or_after(second_visit + dt.timedelta(days=1))
            if day > self.yesterday:
                continue
            sp = self.add_deposit(cp, cp.primary(), day, Decimal("5250.00") if number % 2 else None)
            if sp:
                if number % 2 == 0:
                    sp.obj.billed_amount = None
                sp.planted.add("BILLED_AMOUNT_INVALID")
        # And a few deposits already on file, typed above the maximum.
        for _cp, sp in self.pick_services(self.n(3), lambda cp, sp: sp.spec.key == "HOUSING_DEP"):
            sp.obj.billed_amount = Decimal("5000.01") + Decimal(self.rng.randrange(0, 50000)) / 100
            sp.planted.add("BILLED_AMOUNT_INVALID")

    def plant_prerequisite(self) -> None:
        """Housing deposits before two months of housing navigation: for housed clients, who had
        none, and for homeless clients the day after their first navigation visit."""
        rng = self.rng
        candidates = [
            cp
            for cp in self.clients
            if not cp.defect
            and cp.subtype in ("housed", "homeless")
            and cp.primary().obj.status == Enrollment.Status.ENROLLED
            and not any(sp.spec.key == "HOUSING_DEP" for sp in cp.services)
        ]
        for cp in rng.sample(candidates, k=min(self.n(25), len(candidates))):
            ep = cp.primary()
            navigation = sorted(
                (sp for sp in cp.services if sp.spec.key == "HOUSING_NAV" and self.past(sp)), key=lambda sp: sp.dos
            )
            if navigation:
                day = self.weekday_on_or_after(navigation[0].dos + dt.timedelta(days=1))
                if day > _month_end(navigation[0].dos) or day > self.yesterday:
                    continue
            else:
                first = max(ep.obj.enrolled_date or cp.enrolled, self.window_start)
                day = self.weekday_on_or_after(self.random_day(first, self.today - dt.timedelta(days=4)))
            sp = self.add_deposit(cp, ep, day)
            if sp:
                sp.planted.add("PREREQUISITE_NOT_MET")

    def plant_daily_maximum(self, mh_sud: list[_ClientPlan]) -> None:
        rng = self.rng
        mh = [cp for cp in mh_sud if cp.primary().program_type == PT.MH]
        for number in range(self.n(30)):
            cp = rng.choice(mh)
            ep = cp.primary()
            crisis_days = {sp.dos for sp in cp.services if sp.spec.key in ("CRISIS", "MEDS")}
            day = self.weekday_on_or_after(
                self.random_day(
                    max(ep.obj.enrolled_date or cp.enrolled, self.window_start), self.today - dt.timedelta(days=3)
                )
            )
            if day in crisis_days or day > self.yesterday:
                continue
            # Crisis intervention: 5 h in the morning and 4 h later on (8 h a day at most);
            # medication support: 2.5 h and 2 h (4 h at most).
            key, first, second = ("CRISIS", 300, 240) if number % 3 else ("MEDS", 150, 120)
            morning = self.add_service(cp, ep, key, day, minutes=first, hour=7)
            later = self.add_service(cp, ep, key, day, minutes=second, hour=15)
            if morning and later:
                morning.locked = True
                later.planted.add("DAILY_MAXIMUM_EXCEEDED")

    def plant_timely_filing(self) -> None:
        """Services from 14-15 months ago entered late: without a delay reason code they fail."""
        rng = self.rng
        first = _month_start(self.today, 15)
        last = _month_end(_month_start(self.today, 14))
        eligible = [
            cp
            for cp in self.clients
            if not cp.defect
            and cp.primary().program_type == PT.MH
            and (cp.primary().obj.enrolled_date or self.today) < first
            and cp.primary().obj.status == Enrollment.Status.ENROLLED
        ]
        chosen = rng.sample(eligible, k=min(self.n(20), len(eligible)))
        for number, cp in enumerate(chosen):
            ep = cp.primary()
            for _ in range(2):
                day = self.weekday_on_or_after(self.random_day(first, last - dt.timedelta(days=3)))
                sp = self.add_service(cp, ep, "PSYTX45", day, minutes=rng.randint(40, 52))
                if sp is None:
                    continue
                if number < len(chosen) // 4:
                    sp.obj.delay_reason_code = "11"  # entered late with a reason: passes
                else:
                    sp.planted.add("TIMELY_FILING_LIMIT")

    # -- statuses and writing ---------------------------------------------------------------------

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
