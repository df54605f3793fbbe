"""`make bench`: a synthetic county in PostgreSQL, the engine on it, and a raw-SQL floor to compare.

The county (`build_county`, nightly/bench_county.py) is loaded with the audit triggers off (the load
is not measured); the engine then runs with every trigger on. About 10% of the candidates fail,
spread over the rules.

The floor (`FLOOR_SQL`) is one statement, written independently of `nightly.rules`: every check as
one branch of a UNION ALL over a materialized candidate set, then the same writes as the engine
(completions, validation stamp, current reasons, history), under the same audit triggers and context.
Both start from the same data (`reset_results` puts it back between them), and `compare` checks that
they found the same (service, rule) failures and the same completions with the same units, rate and
charge.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction

from common.audit import acting_as
from nightly.bench_county import AS_OF, build_county, vacuum
from nightly.rules.sql import COMPLETE, COUNTED, SHOW, candidate_filter, literal, units_sql
from services.models import Authorization

APPROVED = literal(Authorization.Status.APPROVED)


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile of the benches' timings (`share` 0.95 for p95)."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


__all__ = [
    "AS_OF",
    "build_county",
    "compare",
    "percentile",
    "reset_results",
    "run_floor",
    "save_engine_results",
    "vacuum",
]


def save_engine_results() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_engine_failure, bench_engine_completion")
        cursor.execute("CREATE TABLE bench_engine_failure AS SELECT service_id, rule_id FROM nightly_servicefailure")
        cursor.execute(
            "CREATE TABLE bench_engine_completion AS SELECT id, units, rate, charge FROM services_service "
            f"WHERE status = {COMPLETE} AND last_validated_at > '2026-01-01'"
        )


def reset_results() -> None:
    """Put the services back as they were before the engine ran (untimed, triggers off)."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            f"UPDATE services_service SET status = {SHOW}, units = NULL, rate = NULL, charge = NULL, "
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
    WHERE {candidate_filter("s")}
),
counted AS MATERIALIZED (
    SELECT s.id, s.client_id, s.procedure_id, s.start, s.date_of_service AS dos, s.duration_minutes,
           CASE WHEN s.status = {COMPLETE} AND s.units IS NOT NULL THEN s.units ELSE {units_sql("s", "p")} END AS units
    FROM services_service s JOIN services_procedure p ON p.id = s.procedure_id
    WHERE s.status IN {COUNTED}
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
        WHERE a.status = {APPROVED}
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
          AND a.status = {APPROVED} AND a.start_date <= c.dos AND c.last_day <= a.end_date)
    UNION ALL SELECT id, 'AUTHORIZATION_EXHAUSTED' FROM auth_use
    UNION ALL SELECT DISTINCT id, 'FREQUENCY_LIMIT_EXCEEDED' FROM freq
    UNION ALL SELECT DISTINCT id, 'DAILY_MAXIMUM_EXCEEDED' FROM minutes
    UNION ALL SELECT id, 'MCP_ENROLLMENT_REQUIRED' FROM cov WHERE mcp = 0 AND program_type IN ('ECM', 'CS')
    UNION ALL SELECT DISTINCT id, 'PREREQUISITE_NOT_MET' FROM prereq
    UNION ALL SELECT c.id, 'DUPLICATE_SERVICE' FROM cand c WHERE EXISTS (SELECT 1 FROM services_service o
        WHERE o.client_id = c.client_id AND o.procedure_id = c.procedure_id AND o.clinician_id = c.clinician_id
          AND o.start = c.start AND o.id < c.id AND o.status IN {COUNTED})
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
    UPDATE services_service s SET status = {COMPLETE}, units = c.units, rate = coalesce(c.rate, 0),
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
            f"""SELECT count(*) FROM ((SELECT id, units, rate, charge FROM bench_engine_completion
                                      EXCEPT SELECT id, units, rate, charge FROM services_service
                                      WHERE status = {COMPLETE} AND last_validated_at > '2026-01-01')
                                     UNION ALL (SELECT id, units, rate, charge FROM services_service
                                      WHERE status = {COMPLETE} AND last_validated_at > '2026-01-01'
                                      EXCEPT SELECT id, units, rate, charge FROM bench_engine_completion)) d"""
        )
        completions = cursor.fetchone()[0]
    return failures, completions


# The write floor (DESIGN.md): the engine's own outcomes, known in advance (saved by
# `save_engine_results`), written to the same tables in the same statements' shape, in one
# transaction under the same audit triggers and context: what a run would cost if deciding were free.
WRITE_FLOOR_SQL = (
    f"""UPDATE services_service s SET status = {COMPLETE}, units = e.units, rate = e.rate, charge = e.charge,
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
