"""The nightly validation engine: candidates -> every rule, set-based -> reasons -> completions.

A run is split into chunks by client-id range (a client's services, and so every limit counted over
them, are always in one chunk). Each chunk is one transaction:

1. `nightly_cand`: a temporary table of the chunk's candidates (status show, not Do Not Complete,
   date of service on or before the run date) with their row version (`xmin`), what the checks read
   about procedure, program and clinician, the units, and the most specific matching rate.
2. Every enabled, effective rule's check (`nightly.rules`) inserts its failing ids into
   `nightly_fail`: one INSERT ... SELECT per rule, whatever the number of services.
3. Overridden (service, rule) pairs are removed.
4. Passing services are completed (units, rate, charge) and failing ones stamped as validated, in one
   UPDATE each, only where the row version is still the one evaluated: a service staff changed
   meanwhile is left alone for the next run, its reasons untouched. The written services' reasons are
   replaced by this run's and the run's history rows appended.
5. The chunk's receipt (`NightlyRunChunk`) is written in the same transaction; a re-delivered chunk
   finds it and does nothing. The run's totals are the sum of the receipts.

Decisions where DOMAIN.md leaves a case open:
* A billable service whose NO_MATCHING_RATE (or ZERO_UNITS) reason was overridden or whose rule is
  disabled completes with rate 0 (charge 0): a complete service must carry a charge, and an override
  says "bill it anyway", not "invent a price".
* The rate match uses the **billed coverage** (DOMAIN.md): among the client's plans in effect on the
  date of service that the program may bill, the lowest priority number; ECM and Community Supports
  programs bill only plans of payer type MCP. A completed service records its payer (`billed_payer`);
  a non-billable one has none (it never goes on a claim), nor has a service with no billable plan
  (then only rates without a payer match, and NO_COVERAGE or MCP_ENROLLMENT_REQUIRED tell why).
  Among equally specific rates the latest start date wins.
* Under a maximum rate (`is_maximum`) the service is charged its billed amount: units 1, rate =
  billed amount (BILLED_AMOUNT_INVALID fails a blank, zero or above-maximum amount; `rate_amount`
  keeps the maximum itself). An overridden BILLED_AMOUNT_INVALID with no billed amount completes at
  rate 0, like an overridden NO_MATCHING_RATE.
* The audit trail of the nightly writes carries the run id (`nightly_run` in the context metadata).
* A rule the county set to severity `warning` is reported (current reason, history, counts) but does
  not stop the service from completing; `error` rules block completion. `failures_by_rule` counts
  every reason found on the services the run wrote, warnings included.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.audit import acting_as
from nightly.models import NightlyRun, NightlyRunChunk, Rule
from nightly.rules import RuleCheck, load_all
from nightly.rules.sql import MCP_ONLY_PROGRAM_TYPES, last_day_sql, units_sql

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SERVICES = 20_000


class RunAlreadyActive(Exception):
    """Another run is queued or running (the database's one-active-run constraint refused this one)."""

    def __init__(self, active: NightlyRun | None = None) -> None:
        self.active = active
        super().__init__("A nightly run is already running." + (f" (run {active.pk})" if active else ""))


CANDIDATES_SQL = f"""
CREATE TEMP TABLE nightly_cand ON COMMIT DROP AS
SELECT s.id, s.xmin AS row_version, s.client_id, s.program_id, s.procedure_id, s.clinician_id,
       s.start, s.date_of_service AS dos, s.duration_minutes, s.note_signed, s.delay_reason_code,
       {last_day_sql("s")} AS last_day, s.billed_amount,
       p.billable, p.requires_note, p.requires_authorization, p.allowed_credentials, p.unit, p.transition_days,
       pr.program_type, pr.agency_id, st.credential, st.credential_expires,
       fp.payer_id AS billed_payer_id, coalesce(fp.timely_filing_months, 12) AS timely_filing_months,
       rt.amount AS rate_amount, coalesce(rt.is_maximum, false) AS rate_is_maximum,
       CASE WHEN rt.is_maximum THEN 1::numeric ELSE {units_sql("s", "p")} END AS units,
       CASE WHEN NOT p.billable THEN 0 WHEN rt.is_maximum THEN s.billed_amount ELSE rt.amount END AS rate
FROM services_service s
JOIN services_procedure p ON p.id = s.procedure_id
JOIN clients_program pr ON pr.id = s.program_id
JOIN clients_staff st ON st.id = s.clinician_id
LEFT JOIN LATERAL (
    SELECT cv.payer_id, py.timely_filing_months FROM coverage_coverage cv
    JOIN coverage_payer py ON py.id = cv.payer_id
    WHERE cv.client_id = s.client_id AND cv.start_date <= s.date_of_service
      AND (cv.end_date IS NULL OR cv.end_date >= s.date_of_service)
      AND (pr.program_type NOT IN {MCP_ONLY_PROGRAM_TYPES} OR py.payer_type = 'MCP')
    ORDER BY cv.priority LIMIT 1
) fp ON p.billable
LEFT JOIN LATERAL (
    SELECT r.amount, r.is_maximum FROM services_rate r
    WHERE r.procedure_id = s.procedure_id AND r.start_date <= s.date_of_service
      AND (r.end_date IS NULL OR r.end_date >= s.date_of_service)
      AND (r.program_id IS NULL OR r.program_id = s.program_id)
      AND (r.payer_id IS NULL OR r.payer_id = fp.payer_id)
    ORDER BY (r.program_id IS NOT NULL) DESC, (r.payer_id IS NOT NULL) DESC, r.start_date DESC, r.id DESC
    LIMIT 1
) rt ON p.billable
WHERE s.status = 'show' AND NOT s.do_not_complete AND s.date_of_service <= %(as_of)s
  AND s.client_id BETWEEN %(lo)s AND %(hi)s
  AND (%(service_ids)s::bigint[] IS NULL OR s.id = ANY (%(service_ids)s::bigint[]))
"""

COMPLETE_SQL = """
WITH done AS (
    UPDATE services_service s
    SET status = 'complete', units = c.units, rate = coalesce(c.rate, 0),
        charge = c.units * coalesce(c.rate, 0), billed_payer_id = c.billed_payer_id,
        last_validated_at = %(now)s, updated_at = %(now)s
    FROM nightly_cand c
    WHERE s.id = c.id AND s.xmin = c.row_version AND s.status = 'show'
      AND NOT EXISTS (SELECT 1 FROM nightly_fail f WHERE f.service_id = c.id AND f.blocking)
    RETURNING s.id
)
INSERT INTO nightly_written (id, completed) SELECT id, true FROM done
"""

STAMP_FAILING_SQL = """
WITH seen AS (
    UPDATE services_service s
    SET last_validated_at = %(now)s
    FROM nightly_cand c
    WHERE s.id = c.id AND s.xmin = c.row_version AND s.status = 'show'
      AND EXISTS (SELECT 1 FROM nightly_fail f WHERE f.service_id = c.id AND f.blocking)
    RETURNING s.id
)
INSERT INTO nightly_written (id, completed) SELECT id, false FROM seen
"""

REPLACE_REASONS_SQL = (
    "DELETE FROM nightly_servicefailure sf USING nightly_written w WHERE sf.service_id = w.id",
    """INSERT INTO nightly_servicefailure (service_id, rule_id, run_id)
       SELECT f.service_id, f.rule_id, %(run_id)s FROM nightly_fail f JOIN nightly_written w ON w.id = f.service_id""",
    """INSERT INTO nightly_failurehistory (service_id, rule_id, run_id)
       SELECT f.service_id, f.rule_id, %(run_id)s FROM nightly_fail f JOIN nightly_written w ON w.id = f.service_id
       ON CONFLICT (run_id, service_id, rule_id) DO NOTHING""",
)

COUNTS_SQL = """
SELECT (SELECT count(*) FROM nightly_cand),
       (SELECT count(*) FROM nightly_written WHERE completed),
       (SELECT count(*) FROM nightly_written WHERE NOT completed),
       (SELECT coalesce(json_object_agg(x.code, x.n), '{}'::json) FROM (
            SELECT r.code, count(*) AS n FROM nightly_fail f
            JOIN nightly_written w ON w.id = f.service_id
            JOIN nightly_rule r ON r.id = f.rule_id GROUP BY r.code) x)
"""

DRY_COUNTS_SQL = """
SELECT (SELECT count(*) FROM nightly_cand),
       (SELECT count(*) FROM nightly_cand c
        WHERE NOT EXISTS (SELECT 1 FROM nightly_fail f WHERE f.service_id = c.id AND f.blocking)),
       (SELECT count(DISTINCT service_id) FROM nightly_fail WHERE blocking),
       (SELECT coalesce(json_object_agg(x.code, x.n), '{}'::json) FROM (
            SELECT r.code, count(*) AS n FROM nightly_fail f JOIN nightly_rule r ON r.id = f.rule_id GROUP BY r.code) x)
"""

PLAN_SQL = """
SELECT min(client_id), max(client_id), sum(n) FROM (
    SELECT client_id, n, div(sum(n) OVER (ORDER BY client_id) - n, %(size)s) AS bucket
    FROM (SELECT client_id, count(*) AS n FROM services_service
          WHERE status = 'show' AND NOT do_not_complete AND date_of_service <= %(as_of)s
          GROUP BY client_id) per_client
) b GROUP BY bucket ORDER BY 1
"""


def chunk_size() -> int:
    return int(getattr(settings, "NIGHTLY_CHUNK_SERVICES", DEFAULT_CHUNK_SERVICES))


def active_rules(as_of: Any) -> list[Rule]:
    """Enabled rules in effect on the run date that have a check in code."""
    checks = load_all()
    rules = Rule.objects.filter(enabled=True).filter(
        Q(effective_from__isnull=True) | Q(effective_from__lte=as_of),
        Q(effective_to__isnull=True) | Q(effective_to__gte=as_of),
    )
    return [rule for rule in rules if rule.code in checks]


def create_run(
    *, as_of: Any, dry_run: bool = False, user: Any = None, status: str = NightlyRun.Status.QUEUED
) -> NightlyRun:
    """Insert the run; the database's partial unique constraint is the lock that refuses a second one."""
    try:
        with transaction.atomic():
            return NightlyRun.objects.create(as_of=as_of, dry_run=dry_run, started_by=user, status=status)
    except IntegrityError as exc:
        active = NightlyRun.objects.filter(
            dry_run=dry_run, status__in=[NightlyRun.Status.QUEUED, NightlyRun.Status.RUNNING]
        ).first()
        raise RunAlreadyActive(active) from exc


def plan_chunks(as_of: Any, size: int | None = None) -> list[tuple[int, int]]:
    """Contiguous client-id ranges holding about `size` candidates each (a client is never split)."""
    with connection.cursor() as cursor:
        cursor.execute(PLAN_SQL, {"as_of": as_of, "size": size or chunk_size()})
        rows = cursor.fetchall()
    ranges: list[tuple[int, int]] = []
    for index, (lo, hi, _count) in enumerate(rows):
        # Each range reaches up to the next one's first client, so no client id falls between chunks.
        upper = rows[index + 1][0] - 1 if index + 1 < len(rows) else hi
        ranges.append((lo, upper))
    return ranges


def begin_run(run: NightlyRun) -> list[tuple[int, int]]:
    """Mark the run running and plan its chunks."""
    chunks = plan_chunks(run.as_of)
    run.status = NightlyRun.Status.RUNNING
    run.started_at = timezone.now()
    run.chunks_total = len(chunks)
    run.save(update_fields=["status", "started_at", "chunks_total"])
    return chunks


def _rule_statement(check: RuleCheck) -> str:
    only_billable = "" if check.non_billable else " JOIN nightly_cand b ON b.id = f.service_id AND b.billable"
    return (
        "INSERT INTO nightly_fail (service_id, rule_id, blocking) "
        f"SELECT DISTINCT f.service_id, %(rule_id)s, %(blocking)s FROM ({check.sql}) f{only_billable}"
    )


def find_failures(cursor: Any, *, params: dict[str, Any], rules: Sequence[Rule], checks: dict[str, RuleCheck]) -> None:
    """Decide, without writing to any table of the portal: fill `nightly_cand` (the candidates of
    `params`: a client range, optionally narrowed to `service_ids`) and `nightly_fail` (every failing
    (service, rule) of the enabled, effective `rules`, overridden pairs removed, `blocking` for error
    severity). The nightly chunk writes from these tables; tonight's verdict (`nightly.verdict`) reads
    them and rolls back. Both must call this, so that there is one implementation of every rule.
    """
    cursor.execute("DROP TABLE IF EXISTS nightly_cand, nightly_fail, nightly_written")
    cursor.execute(CANDIDATES_SQL, params)
    # Temporary tables have no statistics until analyzed; the checks' join plans need them.
    cursor.execute("ANALYZE nightly_cand")
    cursor.execute(
        "CREATE TEMP TABLE nightly_fail (service_id bigint NOT NULL, rule_id bigint NOT NULL, blocking boolean NOT NULL) ON COMMIT DROP"
    )
    for rule in rules:
        blocking = rule.severity == Rule.Severity.ERROR
        cursor.execute(_rule_statement(checks[rule.code]), {**params, "rule_id": rule.pk, "blocking": blocking})
    cursor.execute(
        """DELETE FROM nightly_fail f USING nightly_failureoverride o
           WHERE o.service_id = f.service_id AND o.rule_id = f.rule_id"""
    )


def validate_chunk(*, run_id: int, client_lo: int, client_hi: int, rule_ids: Sequence[int] | None = None) -> bool:
    """Validate the candidates of clients `client_lo`..`client_hi` in one transaction.

    Returns False when the chunk had already been done (a re-delivered task).
    """
    run = NightlyRun.objects.get(pk=run_id)
    checks = load_all()
    rules = active_rules(run.as_of) if rule_ids is None else list(Rule.objects.filter(pk__in=rule_ids))
    params: dict[str, Any] = {
        "as_of": run.as_of,
        "lo": client_lo,
        "hi": client_hi,
        "tz": settings.TIME_ZONE,
        "run_id": run_id,
        "now": timezone.now(),
        "service_ids": None,  # every candidate of the range (tonight's verdict passes a list)
    }
    with transaction.atomic(), acting_as(None, nightly_run=run_id), connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO nightly_nightlyrunchunk
                   (run_id, client_lo, client_hi, services_checked, services_completed, services_failed,
                    services_skipped, failures_by_rule)
               VALUES (%(run_id)s, %(lo)s, %(hi)s, 0, 0, 0, 0, '{}')
               ON CONFLICT (run_id, client_lo) DO NOTHING RETURNING id""",
            params,
        )
        receipt = cursor.fetchone()
        if receipt is None:
            return False
        find_failures(cursor, params=params, rules=rules, checks=checks)
        if run.dry_run:
            cursor.execute(DRY_COUNTS_SQL)
        else:
            cursor.execute(
                "CREATE TEMP TABLE nightly_written (id bigint PRIMARY KEY, completed boolean NOT NULL) ON COMMIT DROP"
            )
            cursor.execute(COMPLETE_SQL, params)
            cursor.execute(STAMP_FAILING_SQL, params)
            for statement in REPLACE_REASONS_SQL:
                cursor.execute(statement, params)
            cursor.execute(COUNTS_SQL)
        checked, completed, failed, by_rule = cursor.fetchone()
        NightlyRunChunk.objects.filter(pk=receipt[0]).update(
            finished_at=timezone.now(),
            services_checked=checked,
            services_completed=completed,
            services_failed=failed,
            services_skipped=0 if run.dry_run else checked - completed - failed,
            failures_by_rule=by_rule,
        )
        cursor.execute("UPDATE nightly_nightlyrun SET chunks_done = chunks_done + 1 WHERE id = %s", [run_id])
        cursor.execute("DROP TABLE IF EXISTS nightly_cand, nightly_fail, nightly_written")
    return True


def close_run(run_id: int) -> NightlyRun:
    """Total the chunks' receipts into the run and mark it finished (idempotent)."""
    with transaction.atomic():
        run = NightlyRun.objects.select_for_update().get(pk=run_id)
        receipts = list(run.chunks.exclude(finished_at=None).values("failures_by_rule"))
        totals = run.chunks.exclude(finished_at=None).aggregate(
            checked=Sum("services_checked"), completed=Sum("services_completed"), failed=Sum("services_failed")
        )
        by_rule: Counter[str] = Counter()
        for receipt in receipts:
            by_rule.update(receipt["failures_by_rule"])
        run.services_checked = totals["checked"] or 0
        run.services_completed = totals["completed"] or 0
        run.services_failed = totals["failed"] or 0
        run.failures_by_rule = dict(sorted(by_rule.items()))
        run.chunks_done = len(receipts)
        run.finished_at = timezone.now()
        run.duration_seconds = (run.finished_at - (run.started_at or run.created_at)).total_seconds()
        run.status = NightlyRun.Status.SUCCEEDED if run.chunks_done >= run.chunks_total else NightlyRun.Status.FAILED
        if run.status == NightlyRun.Status.FAILED and not run.error:
            run.error = f"{run.chunks_total - run.chunks_done} of {run.chunks_total} chunks did not finish."
        run.save()
    return run


def fail_run(run_id: int, error: str) -> None:
    """Mark a run failed (the message names the error type only: no client data)."""
    NightlyRun.objects.filter(pk=run_id, status__in=[NightlyRun.Status.QUEUED, NightlyRun.Status.RUNNING]).update(
        status=NightlyRun.Status.FAILED, finished_at=timezone.now(), error=error[:500]
    )


def run_validation(*, as_of: Any, run: NightlyRun | None = None, dry_run: bool = False) -> NightlyRun:
    """The whole run in this process: plan, validate every chunk in turn, close.

    Raises RunAlreadyActive when `run` is not given and another run is queued or running.
    """
    if run is None:
        run = create_run(as_of=as_of, dry_run=dry_run, status=NightlyRun.Status.RUNNING)
    started = time.monotonic()
    try:
        chunks = begin_run(run)
        rule_ids = [rule.pk for rule in active_rules(run.as_of)]
        for lo, hi in chunks:
            validate_chunk(run_id=run.pk, client_lo=lo, client_hi=hi, rule_ids=rule_ids)
        run = close_run(run.pk)
    except Exception as exc:
        fail_run(run.pk, f"{type(exc).__name__} while validating")
        raise
    logger.info(
        "nightly run %s as of %s: checked %s, completed %s, failed %s in %.1f s",
        run.pk,
        run.as_of,
        run.services_checked,
        run.services_completed,
        run.services_failed,
        time.monotonic() - started,
    )
    return run
