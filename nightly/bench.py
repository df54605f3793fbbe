"""`make bench`: a synthetic county in PostgreSQL, the engine on it, and a raw-SQL floor to compare.

The county (`build_county`) is written with COPY in batches (bounded memory) with the audit triggers
off (the load is not measured); the engine then runs with every trigger on. About 10% of the
candidates fail, spread over the rules: 4% of clients carry a client-level problem (financial
information, address, each diagnosis case, enrollment, coverage, CIN, subscriber, managed care plan,
authorizations) and 6% of services a service-level one (note, old date of service, duplicate,
expired or wrong credential, no rate, too short, crisis over the daily maximum, frequency,
prerequisite).

The floor (`FLOOR_SQL`) is one statement, written independently of `nightly.rules`: every check as
one branch of a UNION ALL over a materialized candidate set, then the same writes as the engine
(completions, validation stamp, current reasons, history), under the same audit triggers and context.
Both start from the same data (`reset_results` puts it back between them), and `compare` checks that
they found the same (service, rule) failures and the same completions with the same units, rate and
charge.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

from accounts.audit import acting_as
from nightly.rules.sql import units_sql

AS_OF = dt.date(2026, 6, 30)
SERVICES_PER_CLIENT = 8
BATCH = 50_000
START = dt.date(2020, 1, 1)

# Procedures: (id, code, modifier, unit, billable, requires_authorization, allowed credentials, rate)
PROCEDURES = [
    (1, "H2017", "", "minute", True, False, "{}", "60.00"),  # psychosocial rehabilitation
    (2, "90837", "", "service", True, False, "{}", "150.00"),  # psychotherapy
    (3, "H0050", "", "minute", True, False, "{LPHA,SUD_CERTIFIED,SUD_REGISTERED}", "45.00"),  # care coordination
    (4, "H2011", "", "minute", True, False, "{}", "80.00"),  # crisis intervention, 8 h a day
    (5, "G9012", "U2", "month", True, False, "{}", "350.00"),  # ECM case management, once a month
    (6, "H0043", "U6", "month", True, True, "{}", "386.00"),  # housing navigation, TAR, once a month
    (7, "H0044", "U2", "service", True, False, "{}", "5000.00"),  # housing deposit, lifetime, prerequisite
    (8, "T2040", "U6", "service", True, False, "{}", "222.00"),  # twice a month on separate dates
    (9, "H0023", "", "service", True, False, "{}", None),  # engagement: no rate entered
    (10, "T1017", "", "service", False, False, "{}", None),  # non-billable
]
RATE = {pid: Decimal(rate) for pid, *_, rate in PROCEDURES if rate}
UNIT = {pid: unit for pid, _c, _m, unit, *_ in PROCEDURES}
# (procedure, max_count, period, distinct_dates, max_minutes, prerequisite, prerequisite_months)
LIMITS = [
    (4, None, "day", False, 480, None, None),
    (5, 1, "month", False, None, None, None),
    (6, 1, "month", False, None, None, None),
    (7, 1, "lifetime", False, None, 6, 2),
    (8, 2, "month", True, None, None, None),
]
AGENCIES, PROGRAMS_PER_AGENCY, STAFF_PER_AGENCY = 10, 5, 20
PROGRAM_TYPES = ["MH", "MH", "SUD", "ECM", "CS"]
CLIENT_PROBLEMS = [
    "financial", "address", "one_line", "no_dx", "dx_after", "dx_ended", "dx_unsigned",
    "not_enrolled", "no_coverage", "no_cin", "subscriber",
]  # fmt: skip
CALAIM_CLIENT_PROBLEMS = ["no_mcp", "auth_denied", "auth_small"]
SERVICE_PROBLEMS = ["note", "old", "duplicate", "expired", "no_rate"]
CLINICAL_SERVICE_PROBLEMS = ["short", "uncredentialed", "crisis"]
CALAIM_SERVICE_PROBLEMS = ["frequency", "prerequisite"]
MEDI_CAL, MCP = 1, 2

BIG_TABLES = (
    "nightly_failurehistory, nightly_servicefailure, nightly_failureoverride, nightly_nightlyrunchunk, "
    "nightly_nightlyrun, services_serviceevent, services_service, services_authorization, "
    "services_rate, services_procedurelimit, services_procedure, diagnosis_diagnosiscode, "
    "diagnosis_diagnosisdocument, coverage_coverage, coverage_payer, clients_enrollment, clients_client, "
    "clients_staff, clients_location, clients_program, clients_agency, pghistory_context"
)


def _copy(cursor, table: str, columns: str, rows: Iterator[str]) -> None:
    """COPY rows (tab-separated lines) in batches, so memory stays flat whatever the county's size."""
    buffer = io.StringIO()
    for count, row in enumerate(rows, start=1):
        buffer.write(row)
        if count % BATCH == 0:
            buffer.seek(0)
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
            buffer = io.StringIO()
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _units(procedure: int, minutes: int) -> int:
    return (minutes + 7) // 15 if UNIT[procedure] == "minute" else 1


def build_county(services: int, seed: int = 7) -> int:
    """Replace the bench database's records with a county of `services` services; returns candidates."""
    rng = random.Random(seed)
    clients = -(-services // SERVICES_PER_CLIENT)
    programs = AGENCIES * PROGRAMS_PER_AGENCY
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {BIG_TABLES} RESTART IDENTITY CASCADE")
        # Not measured: the load skips the audit triggers (and FK checks) of its own inserts.
        cursor.execute("SET session_replication_role = replica")
        _copy(
            cursor,
            "clients_agency",
            "id, name, address_city, address_state, address_zip",
            (f"{a}\tAgency {a}\tSan Diego\tCA\t9210{a % 10}\n" for a in range(1, AGENCIES + 1)),
        )
        _copy(
            cursor,
            "clients_program",
            "id, agency_id, name, code, program_type",
            (
                f"{p}\t{(p - 1) // PROGRAMS_PER_AGENCY + 1}\tProgram {p}\tP{p:04d}\t{PROGRAM_TYPES[(p - 1) % 5]}\n"
                for p in range(1, programs + 1)
            ),
        )

        def staff_rows() -> Iterator[str]:
            for a in range(1, AGENCIES + 1):
                for k in range(STAFF_PER_AGENCY):
                    sid = (a - 1) * STAFF_PER_AGENCY + k + 1
                    credential = {17: "PEER", 18: "SUD_CERTIFIED"}.get(k, "LPHA")
                    expires = "2024-01-31" if k == 19 else "\\N"
                    yield f"{sid}\t{a}\tStaff{sid}\tClinician\t{credential}\t{expires}\t\n"

        _copy(
            cursor,
            "clients_staff",
            "id, agency_id, first_name, last_name, credential, credential_expires, npi",
            staff_rows(),
        )
        _copy(cursor, "clients_location", "id, name, place_of_service", iter(["1\tClinic\t11\n", "2\tField\t15\n"]))
        _copy(
            cursor,
            "coverage_payer",
            "id, name, payer_type",
            iter([f"{MEDI_CAL}\tMedi-Cal\tMEDI_CAL\n", f"{MCP}\tHealth Plan\tMCP\n", "3\tCounty\tCOUNTY\n"]),
        )
        _copy(
            cursor,
            "services_procedure",
            "id, code, modifier, name, billable, requires_note, requires_authorization, allowed_credentials, unit",
            (
                f"{pid}\t{code}\t{mod}\t{code} {mod}\t{'t' if bill else 'f'}\tt\t{'t' if auth else 'f'}\t{creds}\t{unit}\n"
                for pid, code, mod, unit, bill, auth, creds, _rate in PROCEDURES
            ),
        )
        _copy(
            cursor,
            "services_procedurelimit",
            "id, procedure_id, max_count, period, distinct_dates, max_minutes, prerequisite_procedure_id, prerequisite_months",
            (
                "\t".join(
                    [
                        str(n),
                        *("\\N" if v is None else ("t" if v is True else "f" if v is False else str(v)) for v in lim),
                    ]
                )
                + "\n"
                for n, lim in enumerate(LIMITS, start=1)
            ),
        )

        def rate_rows() -> Iterator[str]:
            n = 0
            for pid, amount in RATE.items():
                n += 1
                yield f"{n}\t{pid}\t\\N\t\\N\t{START}\t\\N\t{amount}\n"
            # More specific rates: psychotherapy for Medi-Cal, rehabilitation in every third program.
            n += 1
            yield f"{n}\t2\t\\N\t{MEDI_CAL}\t{START}\t\\N\t160.00\n"
            for program in range(1, programs + 1, 3):
                n += 1
                yield f"{n}\t1\t{program}\t\\N\t{START}\t\\N\t65.00\n"

        _copy(
            cursor, "services_rate", "id, procedure_id, program_id, payer_id, start_date, end_date, amount", rate_rows()
        )

        client_problem: dict[int, str] = {}
        client_rows, enrollment_rows, coverage_rows, dx_rows, auth_rows = [], [], [], [], []

        def flush(table: str, columns: str, rows: list[str]) -> None:
            _copy(cursor, table, columns, iter(rows))
            rows.clear()

        coverage_id = 0
        for c in range(1, clients + 1):
            program = (c - 1) % programs + 1
            calaim = PROGRAM_TYPES[(program - 1) % 5] in {"ECM", "CS"}
            problem = ""
            if rng.random() < 0.04:
                problem = rng.choice(CLIENT_PROBLEMS + (CALAIM_CLIENT_PROBLEMS if calaim else []))
                client_problem[c] = problem
            homeless = not problem and rng.random() < 0.01
            street = "HOMELESS" if homeless else f"{c} Main St"
            # A HOMELESS client's city, state and zip lines are still filled (staff enter the agency's).
            city, state, zip_code = "San Diego", "CA", "92101"
            if problem == "address":
                city = ""
            elif problem == "one_line":
                street = f"{c} Main St, San Diego, CA 92101"
            client_rows.append(
                f"{c}\tFirst{c}\tLast{c}\t1980-01-01\t\t\t\t{street}\t{city}\t{state}\t{zip_code}\tt\t"
                f"{'f' if problem == 'financial' else 't'}\t2020-01-01 00:00:00+00\n"
            )
            if problem == "not_enrolled":
                enrollment_rows.append(f"{c}\t{c}\t{program}\trequested\t{START}\t\\N\t\\N\n")
            else:
                enrollment_rows.append(f"{c}\t{c}\t{program}\tenrolled\t{START}\t{START}\t\\N\n")
            if problem != "no_coverage":
                coverage_id += 1
                cin = "" if problem == "no_cin" else f"9{c:07d}A"
                subscriber = "f" if problem == "subscriber" else "t"
                coverage_rows.append(f"{coverage_id}\t{c}\t{MEDI_CAL}\t1\t{START}\t\\N\t{cin}\t{subscriber}\n")
                if calaim and problem != "no_mcp":
                    coverage_id += 1
                    coverage_rows.append(f"{coverage_id}\t{c}\t{MCP}\t2\t{START}\t\\N\tM{c:07d}\tt\n")
            if problem != "no_dx":
                effective = AS_OF - dt.timedelta(days=60) if problem == "dx_after" else START
                end = AS_OF - dt.timedelta(days=90) if problem == "dx_ended" else "\\N"
                signed = "f\t\\N" if problem == "dx_unsigned" else "t\t2020-01-01 00:00:00+00"
                dx_rows.append(f"{c}\t{c}\t{program}\t{effective}\t{end}\t{signed}\t\\N\n")
            if calaim:
                status = "denied" if problem == "auth_denied" else "approved"
                quantity = 2 if problem == "auth_small" else 12
                auth_rows.append(
                    f"{c}\t{c}\t{MEDI_CAL}\t6\tTAR{c}\t{START}\t{AS_OF + dt.timedelta(days=365)}\t{quantity}\t{status}\n"
                )
            if len(client_rows) >= BATCH:
                _flush_clients(flush, client_rows, enrollment_rows, coverage_rows, dx_rows, auth_rows)
        _flush_clients(flush, client_rows, enrollment_rows, coverage_rows, dx_rows, auth_rows)

        def service_rows() -> Iterator[str]:
            previous: tuple[int, int, str] | None = None
            for sid in range(1, services + 1):
                c = (sid - 1) // SERVICES_PER_CLIENT + 1
                j = (sid - 1) % SERVICES_PER_CLIENT
                program = (c - 1) % programs + 1
                agency = (program - 1) // PROGRAMS_PER_AGENCY + 1
                ptype = PROGRAM_TYPES[(program - 1) % 5]
                calaim = ptype in {"ECM", "CS"}
                if calaim:
                    procedure, minutes = (5, 60) if j % 3 == 0 else (6, 60) if j % 3 == 1 else (8, 45)
                elif ptype == "SUD":
                    procedure, minutes = [(3, 30), (2, 53), (1, 60), (10, 20)][j % 4]
                else:
                    procedure, minutes = [(1, 60), (2, 53), (10, 20), (1, 45)][j % 4]
                clinician = (agency - 1) * STAFF_PER_AGENCY + (c + j) % 17 + 1
                day = AS_OF - dt.timedelta(days=31 * j + c % 20)
                # 17:00Z is 09:00 or 10:00 in the county: the same calendar date all year.
                start = f"{day} 17:00:00+00"
                note, delay, dnc = "t", "", "f"
                problem = ""
                if rng.random() < 0.06:
                    choices = SERVICE_PROBLEMS + (CALAIM_SERVICE_PROBLEMS if calaim else CLINICAL_SERVICE_PROBLEMS)
                    problem = rng.choice(choices)
                if problem == "note":
                    note = "f"
                elif problem == "old":
                    day = AS_OF - dt.timedelta(days=400 + c % 30)
                    start = f"{day} 17:00:00+00"
                elif problem == "duplicate" and previous is not None and j > 0:
                    procedure, clinician, start = previous
                elif problem == "expired":
                    clinician = (agency - 1) * STAFF_PER_AGENCY + 20
                elif problem == "no_rate":
                    procedure = 9
                elif problem == "short":
                    procedure, minutes = 1, 5
                elif problem == "uncredentialed":
                    procedure, clinician = 3, (agency - 1) * STAFF_PER_AGENCY + 18
                elif problem == "crisis":
                    procedure, minutes = 4, 500
                elif problem == "frequency" and previous is not None and j > 0:
                    procedure = previous[0]
                    start = previous[2].replace("17:00:00", "18:00:00")
                elif problem == "prerequisite":
                    procedure = 7
                if not problem and rng.random() < 0.01:
                    dnc = "t"
                previous = (procedure, clinician, start)
                # The two oldest services of a client were validated on earlier nights.
                if j >= SERVICES_PER_CLIENT - 2 and not problem:
                    units = _units(procedure, minutes)
                    rate = RATE.get(procedure, Decimal("0")) if procedure != 10 else Decimal("0")
                    tail = f"complete\tin_person\t{note}\t{dnc}\t{delay}\t{units}\t{rate}\t{units * rate}\tt\t2026-01-01 00:00:00+00"
                else:
                    tail = f"show\tin_person\t{note}\t{dnc}\t{delay}\t\\N\t\\N\t\\N\tf\t\\N"
                yield (
                    f"{sid}\t{c}\t{program}\t{procedure}\t{clinician}\t1\t{start}\t{minutes}\t{tail}\t"
                    f"2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\n"
                )

        _copy(
            cursor,
            "services_service",
            "id, client_id, program_id, procedure_id, clinician_id, location_id, start, duration_minutes, status, "
            "mode_of_delivery, note_signed, do_not_complete, delay_reason_code, units, rate, charge, claimed, "
            "last_validated_at, created_at, updated_at",
            service_rows(),
        )
        cursor.execute("SET session_replication_role = origin")
        for table in ("clients_agency", "clients_program", "clients_staff", "clients_location", "coverage_payer",
                      "services_procedure", "services_procedurelimit", "services_rate", "clients_client",
                      "clients_enrollment", "coverage_coverage", "diagnosis_diagnosisdocument",
                      "services_authorization", "services_service"):  # fmt: skip
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}")
        cursor.execute(
            "SELECT count(*) FROM services_service WHERE status = 'show' AND NOT do_not_complete AND date_of_service <= %s",
            [AS_OF],
        )
        candidates = cursor.fetchone()[0]
    # The same physical state as after `reset_results`, so the engine and the floor start alike.
    vacuum(full=True)
    return candidates


def _flush_clients(flush, clients, enrollments, coverages, dxs, auths) -> None:  # type: ignore[no-untyped-def]
    flush(
        "clients_client",
        "id, first_name, last_name, date_of_birth, ssn_encrypted, ssn_last4, ssn_digest, address_street, "
        "address_city, address_state, address_zip, billing_address, financial_info_complete, created_at",
        clients,
    )
    flush(
        "clients_enrollment",
        "id, client_id, program_id, status, requested_date, enrolled_date, discharged_date",
        enrollments,
    )
    flush(
        "coverage_coverage",
        "id, client_id, payer_id, priority, start_date, end_date, insured_id, subscriber_is_client",
        coverages,
    )
    flush(
        "diagnosis_diagnosisdocument",
        "id, client_id, program_id, effective_date, end_date, signed, signed_at, signed_by_id",
        dxs,
    )
    flush(
        "services_authorization",
        "id, client_id, payer_id, procedure_id, tar_number, start_date, end_date, quantity, status",
        auths,
    )


def vacuum(full: bool = False) -> None:
    """Compact and analyze the tables a run reads, so both runs start from the same physical state."""
    with connection.cursor() as cursor:
        if full:
            cursor.execute("VACUUM FULL services_service")
        cursor.execute("VACUUM ANALYZE")


def save_engine_results() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_engine_failure, bench_engine_completion")
        cursor.execute("CREATE TABLE bench_engine_failure AS SELECT service_id, rule_id FROM nightly_servicefailure")
        cursor.execute(
            "CREATE TABLE bench_engine_completion AS SELECT id, units, rate, charge FROM services_service "
            "WHERE status = 'complete' AND last_validated_at > '2026-01-01'"
        )


def reset_results() -> None:
    """Put the services back as they were before the engine ran (untimed, triggers off)."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "UPDATE services_service SET status = 'show', units = NULL, rate = NULL, charge = NULL, "
            "last_validated_at = NULL, claimed = false WHERE last_validated_at > '2026-01-01'"
        )
        cursor.execute("SET session_replication_role = origin")
        cursor.execute(
            "TRUNCATE nightly_failurehistory, nightly_servicefailure, nightly_nightlyrunchunk, nightly_nightlyrun, "
            "services_serviceevent, pghistory_context"
        )
    vacuum(full=True)


FLOOR_SQL = f"""
WITH cand AS MATERIALIZED (
    SELECT s.id, s.client_id, s.program_id, s.procedure_id, s.clinician_id, s.start,
           s.date_of_service AS dos, s.note_signed, s.delay_reason_code, s.billed_amount,
           (timezone(%(tz)s, s.start + s.duration_minutes * interval '1 minute' - interval '1 microsecond'))::date
               AS last_day,
           p.billable, p.requires_note, p.requires_authorization, p.allowed_credentials, p.unit, p.transition_days,
           pr.program_type, pr.agency_id, st.credential, st.credential_expires,
           bc.payer_id AS billed_payer_id, coalesce(bc.timely_filing_months, 12) AS timely_filing_months,
           rt.amount AS rate_amount, coalesce(rt.is_maximum, false) AS rate_is_maximum,
           CASE WHEN rt.is_maximum THEN 1::numeric ELSE {units_sql("s", "p")} END AS units,
           CASE WHEN NOT p.billable THEN 0 WHEN rt.is_maximum THEN s.billed_amount ELSE rt.amount END AS rate
    FROM services_service s
    JOIN services_procedure p ON p.id = s.procedure_id
    JOIN clients_program pr ON pr.id = s.program_id
    JOIN clients_staff st ON st.id = s.clinician_id
    LEFT JOIN LATERAL (
        SELECT cv.payer_id, py.timely_filing_months
        FROM coverage_coverage cv JOIN coverage_payer py ON py.id = cv.payer_id
        WHERE p.billable AND cv.client_id = s.client_id
          AND s.date_of_service BETWEEN cv.start_date AND coalesce(cv.end_date, 'infinity')
          AND (py.payer_type = 'MCP' OR pr.program_type NOT IN ('ECM', 'CS'))
        ORDER BY cv.priority LIMIT 1) bc ON true
    LEFT JOIN LATERAL (
        SELECT r.amount, r.is_maximum FROM services_rate r
        WHERE p.billable AND r.procedure_id = s.procedure_id
          AND s.date_of_service BETWEEN r.start_date AND coalesce(r.end_date, 'infinity')
          AND (r.program_id IS NULL OR r.program_id = s.program_id)
          AND (r.payer_id IS NULL OR r.payer_id = bc.payer_id)
        ORDER BY (r.program_id IS NOT NULL) DESC, (r.payer_id IS NOT NULL) DESC, r.start_date DESC, r.id DESC
        LIMIT 1) rt ON true
    WHERE s.status = 'show' AND NOT s.do_not_complete AND s.date_of_service <= %(as_of)s
),
counted AS MATERIALIZED (
    SELECT s.id, s.client_id, s.procedure_id, s.start, s.date_of_service AS dos, s.duration_minutes,
           CASE WHEN s.status = 'complete' AND s.units IS NOT NULL THEN s.units ELSE {units_sql("s", "p")} END AS units
    FROM services_service s JOIN services_procedure p ON p.id = s.procedure_id
    WHERE s.status IN ('show', 'complete')
      AND s.procedure_id IN (SELECT procedure_id FROM services_procedurelimit UNION SELECT prerequisite_procedure_id
                             FROM services_procedurelimit WHERE prerequisite_procedure_id IS NOT NULL
                             UNION SELECT procedure_id FROM services_authorization)
),
dx AS (
    SELECT c.id, count(d.id) AS n, min(d.effective_date) AS first_effective,
           count(d.id) FILTER (WHERE c.dos BETWEEN d.effective_date AND coalesce(d.end_date, 'infinity')) AS covering,
           count(d.id) FILTER (WHERE d.signed AND c.dos BETWEEN d.effective_date AND coalesce(d.end_date, 'infinity')) AS covering_signed,
           min(c.dos) AS dos
    FROM cand c LEFT JOIN diagnosis_diagnosisdocument d ON d.client_id = c.client_id AND d.program_id = c.program_id
    GROUP BY c.id
),
cov AS (
    SELECT c.id, min(c.program_type) AS program_type, count(cv.id) AS n,
           count(cv.id) FILTER (WHERE btrim(cv.insured_id) = '') AS no_cin,
           count(cv.id) FILTER (WHERE py.payer_type IN ('MEDI_CAL', 'MEDI_CAL_DMC') AND NOT cv.subscriber_is_client) AS not_subscriber,
           count(cv.id) FILTER (WHERE py.payer_type = 'MCP') AS mcp
    FROM cand c
    LEFT JOIN coverage_coverage cv ON cv.client_id = c.client_id AND c.dos BETWEEN cv.start_date AND coalesce(cv.end_date, 'infinity')
    LEFT JOIN coverage_payer py ON py.id = cv.payer_id
    GROUP BY c.id
),
addr AS (
    SELECT c.id, cl.billing_address, btrim(cl.address_street) AS street, upper(btrim(cl.address_street)) = 'HOMELESS' AS homeless,
           btrim(cl.address_city) AS city, btrim(cl.address_state) AS state, btrim(cl.address_zip) AS zip,
           cl.financial_info_complete
    FROM cand c JOIN clients_client cl ON cl.id = c.client_id
),
freq AS (
    SELECT k.id FROM (
        SELECT s.id, l.max_count, l.distinct_dates,
               row_number() OVER (PARTITION BY l.id, s.client_id, CASE l.period WHEN 'lifetime' THEN NULL
                   WHEN 'month' THEN date_trunc('month', s.dos)::date ELSE s.dos END ORDER BY s.start, s.id) AS nth,
               dense_rank() OVER (PARTITION BY l.id, s.client_id, CASE l.period WHEN 'lifetime' THEN NULL
                   WHEN 'month' THEN date_trunc('month', s.dos)::date ELSE s.dos END ORDER BY s.dos) AS nth_date,
               row_number() OVER (PARTITION BY l.id, s.client_id, s.dos ORDER BY s.start, s.id) AS same_day
        FROM counted s JOIN services_procedurelimit l ON l.procedure_id = s.procedure_id AND l.max_count IS NOT NULL
        WHERE s.dos <= %(as_of)s
    ) k
    WHERE (k.distinct_dates AND (k.same_day > 1 OR k.nth_date > k.max_count)) OR (NOT k.distinct_dates AND k.nth > k.max_count)
),
minutes AS (
    SELECT k.id FROM (
        SELECT s.id, l.max_minutes, sum(s.duration_minutes) OVER (PARTITION BY l.id, s.client_id, CASE l.period
                   WHEN 'lifetime' THEN NULL WHEN 'month' THEN date_trunc('month', s.dos)::date ELSE s.dos END
                   ORDER BY s.start, s.id) AS total
        FROM counted s JOIN services_procedurelimit l ON l.procedure_id = s.procedure_id AND l.max_minutes IS NOT NULL
    ) k WHERE k.total > k.max_minutes
),
auth_use AS (
    SELECT k.id FROM (
        SELECT s.id, a.quantity, sum(s.units) OVER (PARTITION BY a.id ORDER BY s.start, s.id) AS total
        FROM services_authorization a JOIN counted s ON s.client_id = a.client_id AND s.procedure_id = a.procedure_id
             AND s.dos BETWEEN a.start_date AND a.end_date
        WHERE a.status = 'approved'
    ) k GROUP BY k.id HAVING bool_and(k.total > k.quantity)
),
prereq AS (
    SELECT c.id FROM cand c
    JOIN services_procedurelimit l ON l.procedure_id = c.procedure_id AND l.prerequisite_procedure_id IS NOT NULL
    LEFT JOIN counted s ON s.client_id = c.client_id AND s.procedure_id = l.prerequisite_procedure_id AND s.dos < c.dos
    GROUP BY c.id, l.id, l.prerequisite_months
    HAVING count(DISTINCT date_trunc('month', s.dos)) < l.prerequisite_months
),
found (id, code) AS (
    SELECT a.id, 'FINANCIAL_INFO_INCOMPLETE' FROM addr a WHERE NOT a.financial_info_complete
    UNION ALL SELECT id, 'DX_NONE_IN_PROGRAM' FROM dx WHERE n = 0
    UNION ALL SELECT id, 'DX_EFFECTIVE_AFTER_DOS' FROM dx WHERE n > 0 AND covering = 0 AND first_effective > dos
    UNION ALL SELECT id, 'DX_ENDED_BEFORE_DOS' FROM dx WHERE n > 0 AND covering = 0 AND first_effective <= dos
    UNION ALL SELECT id, 'DX_NOT_SIGNED' FROM dx WHERE covering > 0 AND covering_signed = 0
    UNION ALL SELECT id, 'NOTE_NOT_SIGNED' FROM cand WHERE requires_note AND NOT note_signed
    UNION ALL SELECT c.id, 'NOT_ENROLLED_ON_DOS' FROM cand c WHERE NOT EXISTS (SELECT 1 FROM clients_enrollment e
        WHERE e.client_id = c.client_id AND e.program_id = c.program_id
          AND ((e.enrolled_date <= c.dos AND coalesce(e.discharged_date, 'infinity') >= c.dos)
               OR (c.transition_days > 0 AND c.dos BETWEEN e.requested_date AND e.enrolled_date)
               OR (c.transition_days > 0 AND c.dos > e.discharged_date AND c.dos - e.discharged_date <= c.transition_days)))
    UNION ALL SELECT id, 'NO_COVERAGE' FROM cov WHERE n = 0
    UNION ALL SELECT id, 'INSURED_ID_MISSING' FROM cov WHERE no_cin > 0
    UNION ALL SELECT id, 'SUBSCRIBER_NOT_CLIENT' FROM cov WHERE not_subscriber > 0
    UNION ALL SELECT a.id, 'ADDRESS_INCOMPLETE' FROM addr a WHERE NOT a.billing_address OR a.street = '' OR a.city = ''
        OR a.state !~ '^[A-Za-z]{{2}}$' OR a.zip !~ '^\\d{{5}}(-?\\d{{4}})?$'
        OR (NOT a.homeless AND (a.street ~ '\\m[A-Za-z]{{2}}\\s+\\d{{5}}(-?\\d{{4}})?\\s*$' OR a.street ~ ',.*,'))
    UNION ALL SELECT id, 'CLINICIAN_NOT_CREDENTIALED' FROM cand
        WHERE allowed_credentials <> '{{}}' AND NOT credential = ANY (allowed_credentials)
    UNION ALL SELECT id, 'CREDENTIAL_EXPIRED' FROM cand WHERE credential_expires < dos
    UNION ALL SELECT id, 'NO_MATCHING_RATE' FROM cand WHERE rate_amount IS NULL
    UNION ALL SELECT id, 'BILLED_AMOUNT_INVALID' FROM cand
        WHERE rate_is_maximum AND (billed_amount IS NULL OR billed_amount <= 0 OR billed_amount > rate_amount)
    UNION ALL SELECT id, 'ZERO_UNITS' FROM cand WHERE unit = 'minute' AND units = 0
    UNION ALL SELECT c.id, 'AUTHORIZATION_REQUIRED' FROM cand c WHERE c.requires_authorization AND NOT EXISTS (
        SELECT 1 FROM services_authorization a WHERE a.client_id = c.client_id AND a.procedure_id = c.procedure_id
          AND a.status = 'approved' AND a.start_date <= c.dos AND c.last_day <= a.end_date)
    UNION ALL SELECT id, 'AUTHORIZATION_EXHAUSTED' FROM auth_use
    UNION ALL SELECT DISTINCT id, 'FREQUENCY_LIMIT_EXCEEDED' FROM freq
    UNION ALL SELECT DISTINCT id, 'DAILY_MAXIMUM_EXCEEDED' FROM minutes
    UNION ALL SELECT id, 'MCP_ENROLLMENT_REQUIRED' FROM cov WHERE mcp = 0 AND program_type IN ('ECM', 'CS')
    UNION ALL SELECT DISTINCT id, 'PREREQUISITE_NOT_MET' FROM prereq
    UNION ALL SELECT c.id, 'DUPLICATE_SERVICE' FROM cand c WHERE EXISTS (SELECT 1 FROM services_service o
        WHERE o.client_id = c.client_id AND o.procedure_id = c.procedure_id AND o.clinician_id = c.clinician_id
          AND o.start = c.start AND o.id < c.id AND o.status IN ('show', 'complete'))
    UNION ALL SELECT DISTINCT c.id, 'TIMELY_FILING_LIMIT' FROM cand c WHERE btrim(c.delay_reason_code) = ''
        AND %(as_of)s::date > (date_trunc('month', c.dos) + (c.timely_filing_months + 1) * interval '1 month'
                               - interval '1 day')::date
),
failing AS MATERIALIZED (
    SELECT DISTINCT f.id AS service_id, r.id AS rule_id
    FROM found f JOIN cand c ON c.id = f.id JOIN nightly_rule r ON r.code = f.code AND r.enabled
    WHERE (c.billable OR f.code IN ('DX_NONE_IN_PROGRAM', 'DX_EFFECTIVE_AFTER_DOS', 'DX_ENDED_BEFORE_DOS',
           'DX_NOT_SIGNED', 'NOTE_NOT_SIGNED', 'NOT_ENROLLED_ON_DOS', 'CLINICIAN_NOT_CREDENTIALED',
           'CREDENTIAL_EXPIRED', 'DUPLICATE_SERVICE'))
      AND NOT EXISTS (SELECT 1 FROM nightly_failureoverride o WHERE o.service_id = f.id AND o.rule_id = r.id)
),
completed AS (
    UPDATE services_service s SET status = 'complete', units = c.units, rate = coalesce(c.rate, 0),
           charge = c.units * coalesce(c.rate, 0), billed_payer_id = c.billed_payer_id,
           last_validated_at = %(now)s, updated_at = %(now)s
    FROM cand c WHERE s.id = c.id AND NOT EXISTS (SELECT 1 FROM failing f WHERE f.service_id = c.id)
    RETURNING s.id
),
stamped AS (
    UPDATE services_service s SET last_validated_at = %(now)s
    FROM (SELECT DISTINCT service_id FROM failing) f WHERE s.id = f.service_id
    RETURNING s.id
),
cleared AS (
    DELETE FROM nightly_servicefailure sf USING cand c WHERE sf.service_id = c.id RETURNING sf.id
),
reasons AS (
    INSERT INTO nightly_servicefailure (service_id, rule_id, run_id)
    SELECT service_id, rule_id, %(run_id)s FROM failing RETURNING id
),
history AS (
    INSERT INTO nightly_failurehistory (service_id, rule_id, run_id)
    SELECT service_id, rule_id, %(run_id)s FROM failing RETURNING id
)
SELECT (SELECT count(*) FROM cand), (SELECT count(*) FROM completed), (SELECT count(*) FROM stamped),
       (SELECT count(*) FROM reasons), (SELECT count(*) FROM history), (SELECT count(*) FROM cleared)
"""


def run_floor(run_id: int, now: dt.datetime) -> tuple[int, ...]:
    """The floor: one statement, in one transaction, over every candidate."""
    with transaction.atomic(), acting_as(None, nightly_run=run_id), connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"as_of": AS_OF, "now": now, "run_id": run_id, "tz": settings.TIME_ZONE})
        return tuple(cursor.fetchone())


def compare() -> tuple[int, int]:
    """(differing failures, differing completions) between the engine's saved results and the floor's."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM ((SELECT service_id, rule_id FROM bench_engine_failure
                                      EXCEPT SELECT service_id, rule_id FROM nightly_servicefailure)
                                     UNION ALL (SELECT service_id, rule_id FROM nightly_servicefailure
                                      EXCEPT SELECT service_id, rule_id FROM bench_engine_failure)) d"""
        )
        failures = cursor.fetchone()[0]
        cursor.execute(
            """SELECT count(*) FROM ((SELECT id, units, rate, charge FROM bench_engine_completion
                                      EXCEPT SELECT id, units, rate, charge FROM services_service
                                      WHERE status = 'complete' AND last_validated_at > '2026-01-01')
                                     UNION ALL (SELECT id, units, rate, charge FROM services_service
                                      WHERE status = 'complete' AND last_validated_at > '2026-01-01'
                                      EXCEPT SELECT id, units, rate, charge FROM bench_engine_completion)) d"""
        )
        completions = cursor.fetchone()[0]
    return failures, completions


# The write floor (DESIGN.md): the engine's own outcomes, known in advance (saved by
# `save_engine_results`), written to the same tables in the same statements' shape, in one
# transaction under the same audit triggers and context: what a run would cost if deciding were free.
WRITE_FLOOR_SQL = (
    """UPDATE services_service s SET status = 'complete', units = e.units, rate = e.rate, charge = e.charge,
              last_validated_at = %(now)s, updated_at = %(now)s
       FROM bench_engine_completion e WHERE s.id = e.id""",
    """UPDATE services_service s SET last_validated_at = %(now)s
       FROM (SELECT service_id FROM bench_engine_failure EXCEPT SELECT id FROM bench_engine_completion) f
       WHERE s.id = f.service_id""",
    """DELETE FROM nightly_servicefailure sf USING bench_engine_failure e WHERE sf.service_id = e.service_id""",
    """INSERT INTO nightly_servicefailure (service_id, rule_id, run_id)
       SELECT service_id, rule_id, %(run_id)s FROM bench_engine_failure""",
    """INSERT INTO nightly_failurehistory (service_id, rule_id, run_id)
       SELECT service_id, rule_id, %(run_id)s FROM bench_engine_failure""",
)


def run_write_floor(run_id: int, now: dt.datetime) -> int:
    """Write the saved outcomes; returns the number of services written (completed + stamped)."""
    written = 0
    with transaction.atomic(), acting_as(None, nightly_run=run_id), connection.cursor() as cursor:
        for index, statement in enumerate(WRITE_FLOOR_SQL):
            cursor.execute(statement, {"now": now, "run_id": run_id})
            if index < 2:
                written += cursor.rowcount
    return written
