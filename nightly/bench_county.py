"""The benchmark's synthetic county (`build_county`), written with COPY in batches (bounded memory) with
the audit triggers off (the load is not measured).

Every row is built from named fields (a dict per row, column -> value) and the procedures by name, so
a reader sees which column gets what. About 10% of the candidates fail, spread over the rules: 4% of
clients carry a client-level problem (financial information, address, each diagnosis case,
enrollment, coverage, CIN, subscriber, managed care plan, authorizations) and 6% of services a
service-level one (note, old date of service, duplicate, expired or wrong credential, no rate, too
short, crisis over the daily maximum, frequency, prerequisite).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from clients.models import Enrollment, Program, Staff
from coverage.models import Payer
from nightly.rules.sql import candidate_filter
from services.models import Authorization, Procedure, ProcedureLimit, Service
from services.units import minute_units

Row = dict[str, Any]  # one row to COPY: column -> value (None is NULL)

AS_OF = dt.date(2026, 6, 30)
SERVICES_PER_CLIENT = 8
BATCH = 50_000
START = dt.date(2020, 1, 1)
# Timestamps of rows that exist from the start (created, validated on an earlier night).
LONG_AGO = "2020-01-01 00:00:00+00"
EARLIER_NIGHT = "2026-01-01 00:00:00+00"

U, PT, Cred, S = Procedure.Unit, Program.ProgramType, Staff.Credential, Service.Status
SUD_CREDENTIALS = "{" + ",".join((Cred.LPHA, Cred.SUD_CERTIFIED, Cred.SUD_REGISTERED)) + "}"


@dataclass(frozen=True)
class BenchProcedure:
    id: int
    code: str
    modifier: str
    unit: str
    billable: bool = True
    requires_authorization: bool = False
    allowed_credentials: str = "{}"  # a PostgreSQL array literal
    rate: str | None = None  # None: no rate entered


REHAB = BenchProcedure(1, "H2017", "", U.MINUTE, rate="60.00")  # psychosocial rehabilitation
PSYCHOTHERAPY = BenchProcedure(2, "90837", "", U.SERVICE, rate="150.00")
CARE_COORDINATION = BenchProcedure(3, "H0050", "", U.MINUTE, allowed_credentials=SUD_CREDENTIALS, rate="45.00")
CRISIS = BenchProcedure(4, "H2011", "", U.MINUTE, rate="80.00")  # 8 hours a day at most
ECM_CASE_MANAGEMENT = BenchProcedure(5, "G9012", "U2", U.MONTH, rate="350.00")  # once a month
HOUSING_NAVIGATION = BenchProcedure(6, "H0043", "U6", U.MONTH, requires_authorization=True, rate="386.00")
HOUSING_DEPOSIT = BenchProcedure(7, "H0044", "U2", U.SERVICE, rate="5000.00")  # lifetime, after navigation
SUSTAINING = BenchProcedure(8, "T2040", "U6", U.SERVICE, rate="222.00")  # twice a month on separate dates
ENGAGEMENT = BenchProcedure(9, "H0023", "", U.SERVICE)  # no rate entered
NON_BILLABLE = BenchProcedure(10, "T1017", "", U.SERVICE, billable=False)
PROCEDURES = (
    REHAB,
    PSYCHOTHERAPY,
    CARE_COORDINATION,
    CRISIS,
    ECM_CASE_MANAGEMENT,
    HOUSING_NAVIGATION,
    HOUSING_DEPOSIT,
    SUSTAINING,
    ENGAGEMENT,
    NON_BILLABLE,
)
BY_ID = {procedure.id: procedure for procedure in PROCEDURES}
RATE = {procedure.id: Decimal(procedure.rate) for procedure in PROCEDURES if procedure.rate}
LIMITS: list[Row] = [
    {"procedure_id": CRISIS.id, "max_count": None, "period": ProcedureLimit.Period.DAY, "max_minutes": 480},
    {"procedure_id": ECM_CASE_MANAGEMENT.id, "max_count": 1, "period": ProcedureLimit.Period.MONTH},
    {"procedure_id": HOUSING_NAVIGATION.id, "max_count": 1, "period": ProcedureLimit.Period.MONTH},
    {
        "procedure_id": HOUSING_DEPOSIT.id,
        "max_count": 1,
        "period": ProcedureLimit.Period.LIFETIME,
        "prerequisite_procedure_id": HOUSING_NAVIGATION.id,
        "prerequisite_months": 2,
    },
    {"procedure_id": SUSTAINING.id, "max_count": 2, "period": ProcedureLimit.Period.MONTH, "distinct_dates": True},
]
AGENCIES, PROGRAMS_PER_AGENCY, STAFF_PER_AGENCY = 10, 5, 20
PROGRAM_TYPES = [PT.MH, PT.MH, PT.SUD, PT.ECM, PT.CS]
CALAIM = {PT.ECM, PT.CS}
CLIENT_PROBLEMS = [
    "financial", "address", "one_line", "no_dx", "dx_after", "dx_ended", "dx_unsigned",
    "not_enrolled", "no_coverage", "no_cin", "subscriber",
]  # fmt: skip
CALAIM_CLIENT_PROBLEMS = ["no_mcp", "auth_denied", "auth_small"]
SERVICE_PROBLEMS = ["note", "old", "duplicate", "expired", "no_rate"]
CLINICAL_SERVICE_PROBLEMS = ["short", "uncredentialed", "crisis"]
CALAIM_SERVICE_PROBLEMS = ["frequency", "prerequisite"]
MEDI_CAL, MCP, COUNTY = 1, 2, 3
CLINIC, FIELD = 1, 2
# Staff slots of each agency: a peer, an SUD counselor, and one whose credential expired.
PEER_SLOT, SUD_SLOT, EXPIRED_SLOT = 17, 18, 19
# A client's services by program type, in turn: (procedure, minutes).
CALAIM_VISITS = [(ECM_CASE_MANAGEMENT, 60), (HOUSING_NAVIGATION, 60), (SUSTAINING, 45)]
SUD_VISITS = [(CARE_COORDINATION, 30), (PSYCHOTHERAPY, 53), (REHAB, 60), (NON_BILLABLE, 20)]
MH_VISITS = [(REHAB, 60), (PSYCHOTHERAPY, 53), (NON_BILLABLE, 20), (REHAB, 45)]

BIG_TABLES = (
    "nightly_failurehistory, nightly_servicefailure, nightly_failureoverride, nightly_nightlyrunchunk, "
    "nightly_nightlyrun, services_serviceevent, services_service, services_authorization, "
    "services_rate, services_procedurelimit, services_procedure, diagnosis_diagnosiscode, "
    "diagnosis_diagnosisdocument, coverage_coverage, coverage_payer, clients_enrollment, clients_client, "
    "clients_staff, clients_location, clients_program, clients_agency, pghistory_context"
)
SEQUENCED_TABLES = (
    "clients_agency", "clients_program", "clients_staff", "clients_location", "coverage_payer",
    "services_procedure", "services_procedurelimit", "services_rate", "clients_client",
    "clients_enrollment", "coverage_coverage", "diagnosis_diagnosisdocument",
    "services_authorization", "services_service",
)  # fmt: skip


def _text(value: Any) -> str:
    """A value in COPY's text format: NULL is \\N, booleans t/f, everything else its str()."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _copy(cursor: Any, table: str, rows: Iterable[Row]) -> None:
    """COPY rows (column -> value) in batches, so memory stays flat whatever the county's size."""
    columns: list[str] = []
    buffer = io.StringIO()

    def send() -> None:
        buffer.seek(0)
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)

    for count, row in enumerate(rows, start=1):
        if not columns:
            columns = list(row)
        buffer.write("\t".join(_text(row[column]) for column in columns) + "\n")
        if count % BATCH == 0:
            send()
            buffer = io.StringIO()
    if columns:
        send()


def _units(procedure: BenchProcedure, minutes: int) -> int:
    return minute_units(minutes) if procedure.unit == U.MINUTE else 1


def _reference_data(cursor: Any, programs: int) -> None:
    _copy(
        cursor,
        "clients_agency",
        (
            {
                "id": a,
                "name": f"Agency {a}",
                "address_city": "San Diego",
                "address_state": "CA",
                "address_zip": f"9210{a % 10}",
            }
            for a in range(1, AGENCIES + 1)
        ),
    )
    _copy(
        cursor,
        "clients_program",
        (
            {
                "id": p,
                "agency_id": (p - 1) // PROGRAMS_PER_AGENCY + 1,
                "name": f"Program {p}",
                "code": f"P{p:04d}",
                "program_type": PROGRAM_TYPES[(p - 1) % 5],
            }
            for p in range(1, programs + 1)
        ),
    )
    _copy(cursor, "clients_staff", _staff_rows())
    _copy(
        cursor,
        "clients_location",
        [
            {"id": CLINIC, "name": "Clinic", "place_of_service": "11"},
            {"id": FIELD, "name": "Field", "place_of_service": "15"},
        ],
    )
    _copy(
        cursor,
        "coverage_payer",
        [
            {"id": MEDI_CAL, "name": "Medi-Cal", "payer_type": Payer.PayerType.MEDI_CAL},
            {"id": MCP, "name": "Health Plan", "payer_type": Payer.PayerType.MCP},
            {"id": COUNTY, "name": "County", "payer_type": Payer.PayerType.COUNTY},
        ],
    )
    _copy(
        cursor,
        "services_procedure",
        (
            {
                "id": p.id,
                "code": p.code,
                "modifier": p.modifier,
                "name": f"{p.code} {p.modifier}",
                "billable": p.billable,
                "requires_note": True,
                "requires_authorization": p.requires_authorization,
                "allowed_credentials": p.allowed_credentials,
                "unit": p.unit,
            }
            for p in PROCEDURES
        ),
    )
    limit_defaults = {
        "distinct_dates": False,
        "max_minutes": None,
        "prerequisite_procedure_id": None,
        "prerequisite_months": None,
    }
    _copy(
        cursor,
        "services_procedurelimit",
        ({"id": n, **limit_defaults, **limit} for n, limit in enumerate(LIMITS, start=1)),
    )
    _copy(cursor, "services_rate", _rate_rows(programs))


def _staff_rows() -> Iterator[Row]:
    for a in range(1, AGENCIES + 1):
        for slot in range(STAFF_PER_AGENCY):
            sid = (a - 1) * STAFF_PER_AGENCY + slot + 1
            yield {
                "id": sid,
                "agency_id": a,
                "first_name": f"Staff{sid}",
                "last_name": "Clinician",
                "credential": {PEER_SLOT: Cred.PEER, SUD_SLOT: Cred.SUD_CERTIFIED}.get(slot, Cred.LPHA),
                "credential_expires": "2024-01-31" if slot == EXPIRED_SLOT else None,
                "npi": "",
            }


def _staff_id(agency: int, slot: int) -> int:
    return (agency - 1) * STAFF_PER_AGENCY + slot + 1


def _rate_rows(programs: int) -> Iterator[Row]:
    n = 0

    def rate(procedure: BenchProcedure, amount: Any, *, program: int | None = None, payer: int | None = None) -> Row:
        nonlocal n
        n += 1
        return {
            "id": n,
            "procedure_id": procedure.id,
            "program_id": program,
            "payer_id": payer,
            "start_date": START,
            "end_date": None,
            "amount": amount,
        }

    for procedure in PROCEDURES:
        if procedure.id in RATE:
            yield rate(procedure, RATE[procedure.id])
    # More specific rates: psychotherapy for Medi-Cal, rehabilitation in every third program.
    yield rate(PSYCHOTHERAPY, "160.00", payer=MEDI_CAL)
    for program in range(1, programs + 1, 3):
        yield rate(REHAB, "65.00", program=program)


class _ClientRows:
    """The rows of each client's own records, flushed to the database every BATCH clients."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.tables: dict[str, list[Row]] = {
            "clients_client": [],
            "clients_enrollment": [],
            "coverage_coverage": [],
            "diagnosis_diagnosisdocument": [],
            "services_authorization": [],
        }
        self.coverage_id = 0

    def add(self, table: str, row: Row) -> None:
        self.tables[table].append(row)

    def add_coverage(self, **fields: Any) -> None:
        self.coverage_id += 1
        self.add("coverage_coverage", {"id": self.coverage_id, **fields})

    def flush(self) -> None:
        for table, rows in self.tables.items():
            _copy(self.cursor, table, rows)
            rows.clear()


def _client(rows: _ClientRows, c: int, program: int, problem: str, homeless: bool) -> None:
    calaim = PROGRAM_TYPES[(program - 1) % 5] in CALAIM
    street = "HOMELESS" if homeless else f"{c} Main St"
    # A HOMELESS client's city, state and zip lines are still filled (staff enter the agency's).
    city, state, zip_code = "San Diego", "CA", "92101"
    if problem == "address":
        city = ""
    elif problem == "one_line":
        street = f"{c} Main St, San Diego, CA 92101"
    rows.add(
        "clients_client",
        {
            "id": c,
            "first_name": f"First{c}",
            "last_name": f"Last{c}",
            "date_of_birth": "1980-01-01",
            "ssn_encrypted": "",
            "ssn_last4": "",
            "ssn_digest": "",
            "address_street": street,
            "address_city": city,
            "address_state": state,
            "address_zip": zip_code,
            "billing_address": True,
            "financial_info_complete": problem != "financial",
            "created_at": LONG_AGO,
        },
    )
    enrolled = problem != "not_enrolled"
    rows.add(
        "clients_enrollment",
        {
            "id": c,
            "client_id": c,
            "program_id": program,
            "status": Enrollment.Status.ENROLLED if enrolled else Enrollment.Status.REQUESTED,
            "requested_date": START,
            "enrolled_date": START if enrolled else None,
            "discharged_date": None,
        },
    )
    if problem != "no_coverage":
        rows.add_coverage(
            client_id=c,
            payer_id=MEDI_CAL,
            priority=1,
            start_date=START,
            end_date=None,
            insured_id="" if problem == "no_cin" else f"9{c:07d}A",
            subscriber_is_client=problem != "subscriber",
        )
        if calaim and problem != "no_mcp":
            rows.add_coverage(
                client_id=c,
                payer_id=MCP,
                priority=2,
                start_date=START,
                end_date=None,
                insured_id=f"M{c:07d}",
                subscriber_is_client=True,
            )
    if problem != "no_dx":
        signed = problem != "dx_unsigned"
        rows.add(
            "diagnosis_diagnosisdocument",
            {
                "id": c,
                "client_id": c,
                "program_id": program,
                "effective_date": AS_OF - dt.timedelta(days=60) if problem == "dx_after" else START,
                "end_date": AS_OF - dt.timedelta(days=90) if problem == "dx_ended" else None,
                "signed": signed,
                "signed_at": LONG_AGO if signed else None,
                "signed_by_id": None,
            },
        )
    if calaim:
        rows.add(
            "services_authorization",
            {
                "id": c,
                "client_id": c,
                "payer_id": MEDI_CAL,
                "procedure_id": HOUSING_NAVIGATION.id,
                "tar_number": f"TAR{c}",
                "start_date": START,
                "end_date": AS_OF + dt.timedelta(days=365),
                "quantity": 2 if problem == "auth_small" else 12,
                "status": Authorization.Status.DENIED if problem == "auth_denied" else Authorization.Status.APPROVED,
            },
        )


def _service_rows(rng: random.Random, services: int, programs: int) -> Iterator[Row]:
    previous: tuple[BenchProcedure, int, str] | None = None
    for sid in range(1, services + 1):
        c = (sid - 1) // SERVICES_PER_CLIENT + 1
        j = (sid - 1) % SERVICES_PER_CLIENT
        program = (c - 1) % programs + 1
        agency = (program - 1) // PROGRAMS_PER_AGENCY + 1
        program_type = PROGRAM_TYPES[(program - 1) % 5]
        calaim = program_type in CALAIM
        if calaim:
            procedure, minutes = CALAIM_VISITS[j % 3]
        elif program_type == PT.SUD:
            procedure, minutes = SUD_VISITS[j % 4]
        else:
            procedure, minutes = MH_VISITS[j % 4]
        clinician = _staff_id(agency, (c + j) % 17)
        day = AS_OF - dt.timedelta(days=31 * j + c % 20)
        # 17:00Z is 09:00 or 10:00 in the county: the same calendar date all year.
        start = f"{day} 17:00:00+00"
        note_signed, do_not_complete = True, False
        problem = ""
        if rng.random() < 0.06:
            choices = SERVICE_PROBLEMS + (CALAIM_SERVICE_PROBLEMS if calaim else CLINICAL_SERVICE_PROBLEMS)
            problem = rng.choice(choices)
        if problem == "note":
            note_signed = False
        elif problem == "old":
            day = AS_OF - dt.timedelta(days=400 + c % 30)
            start = f"{day} 17:00:00+00"
        elif problem == "duplicate" and previous is not None and j > 0:
            procedure, clinician, start = previous
        elif problem == "expired":
            clinician = _staff_id(agency, EXPIRED_SLOT)
        elif problem == "no_rate":
            procedure = ENGAGEMENT
        elif problem == "short":
            procedure, minutes = REHAB, 5
        elif problem == "uncredentialed":
            procedure, clinician = CARE_COORDINATION, _staff_id(agency, PEER_SLOT)
        elif problem == "crisis":
            procedure, minutes = CRISIS, 500
        elif problem == "frequency" and previous is not None and j > 0:
            procedure = previous[0]
            start = previous[2].replace("17:00:00", "18:00:00")
        elif problem == "prerequisite":
            procedure = HOUSING_DEPOSIT
        if not problem and rng.random() < 0.01:
            do_not_complete = True
        previous = (procedure, clinician, start)
        row: Row = {
            "id": sid,
            "client_id": c,
            "program_id": program,
            "procedure_id": procedure.id,
            "clinician_id": clinician,
            "location_id": CLINIC,
            "start": start,
            "duration_minutes": minutes,
            "status": S.SHOW,
            "mode_of_delivery": Service.ModeOfDelivery.IN_PERSON,
            "note_signed": note_signed,
            "do_not_complete": do_not_complete,
            "delay_reason_code": "",
            "units": None,
            "rate": None,
            "charge": None,
            "claimed": False,
            "last_validated_at": None,
            "created_at": EARLIER_NIGHT,
            "updated_at": EARLIER_NIGHT,
        }
        # The two oldest services of a client were validated (and claimed) on earlier nights.
        if j >= SERVICES_PER_CLIENT - 2 and not problem:
            units = _units(procedure, minutes)
            rate = RATE.get(procedure.id, Decimal("0")) if procedure.billable else Decimal("0")
            row |= {
                "status": S.COMPLETE,
                "units": units,
                "rate": rate,
                "charge": units * rate,
                "claimed": True,
                "last_validated_at": EARLIER_NIGHT,
            }
        yield row


def build_county(services: int, seed: int = 7) -> int:
    """Replace the bench database's records with a county of `services` services; returns candidates."""
    rng = random.Random(seed)
    clients = -(-services // SERVICES_PER_CLIENT)
    programs = AGENCIES * PROGRAMS_PER_AGENCY
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {BIG_TABLES} RESTART IDENTITY CASCADE")
        # Not measured: the load skips the audit triggers (and FK checks) of its own inserts.
        cursor.execute("SET session_replication_role = replica")
        _reference_data(cursor, programs)
        rows = _ClientRows(cursor)
        for c in range(1, clients + 1):
            program = (c - 1) % programs + 1
            calaim = PROGRAM_TYPES[(program - 1) % 5] in CALAIM
            problem = ""
            if rng.random() < 0.04:
                problem = rng.choice(CLIENT_PROBLEMS + (CALAIM_CLIENT_PROBLEMS if calaim else []))
            homeless = not problem and rng.random() < 0.01
            _client(rows, c, program, problem, homeless)
            if len(rows.tables["clients_client"]) >= BATCH:
                rows.flush()
        rows.flush()
        _copy(cursor, "services_service", _service_rows(rng, services, programs))
        cursor.execute("SET session_replication_role = origin")
        for table in SEQUENCED_TABLES:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}")
        cursor.execute(f"SELECT count(*) FROM services_service s WHERE {candidate_filter('s')}", {"as_of": AS_OF})
        candidates = cursor.fetchone()[0]
    # The same physical state as after `reset_results`, so the engine and the floor start alike.
    vacuum(full=True)
    return candidates


def vacuum(full: bool = False) -> None:
    """Compact and analyze the tables a run reads, so both runs start from the same physical state."""
    with connection.cursor() as cursor:
        if full:
            cursor.execute("VACUUM FULL services_service")
        cursor.execute("VACUUM ANALYZE")
