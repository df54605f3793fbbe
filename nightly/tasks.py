"""Celery tasks of the nightly run: thin wrappers over `nightly.engine`.

`run_nightly` plans the chunks and fans them out as a chord whose callback closes the run. Every
task takes ids and dates only (JSON), acknowledges late (a chunk whose worker died is delivered
again) and is idempotent: a chunk's receipt is written in its own transaction, so a re-delivered
chunk that already committed does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import chord, shared_task
from django.utils import timezone

from nightly import engine
from nightly.models import NightlyRun

logger = logging.getLogger(__name__)

# A chunk (20,000 candidates by default) takes seconds; the limits only stop a stuck statement from holding
# the run forever.
CHUNK_SOFT_LIMIT = 15 * 60
CHUNK_HARD_LIMIT = 20 * 60


@shared_task(name="nightly.run_nightly", acks_late=True, soft_time_limit=5 * 60, time_limit=10 * 60)
def run_nightly(as_of: str | None = None, run_id: int | None = None) -> int | None:
    """Start a run (the beat schedule calls it with no arguments: today in the county's time zone)."""
    if run_id is None:
        day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        # A run whose worker died no longer holds the lock once its heartbeat is stale.
        engine.fail_abandoned_runs()
        try:
            run = engine.create_run(as_of=day)
        except engine.RunAlreadyActive as exc:
            logger.warning("nightly run not started: %s", exc)
            return None
    else:
        run = NightlyRun.objects.get(pk=run_id)
        if run.status != NightlyRun.Status.QUEUED:
            # Delivered again after it already fanned out: the chord is on its way.
            return run.pk
    try:
        chunks = engine.begin_run(run)
        rule_ids = [rule.pk for rule in engine.active_rules(run.as_of)]
    except engine.RunNotActive:
        # Cancelled (or found abandoned) while it waited in the queue.
        return run.pk
    except Exception as exc:
        engine.fail_run(run.pk, f"{type(exc).__name__} while planning")
        raise
    if not chunks:
        engine.close_run(run.pk)
        return run.pk
    header = [validate_chunk.si(run.pk, lo, hi, rule_ids) for lo, hi in chunks]
    chord(header)(close_run.si(run.pk).on_error(mark_run_failed.si(run.pk)))
    return run.pk


@shared_task(
    name="nightly.validate_chunk", acks_late=True, soft_time_limit=CHUNK_SOFT_LIMIT, time_limit=CHUNK_HARD_LIMIT
)
def validate_chunk(run_id: int, client_lo: int, client_hi: int, rule_ids: list[int]) -> bool:
    # A chunk that fails records itself on its receipt and returns False rather than raising, so the
    # chord still calls close_run, which ends the run failed and names the chunk.
    return engine.validate_chunk(run_id=run_id, client_lo=client_lo, client_hi=client_hi, rule_ids=rule_ids)


@shared_task(name="nightly.close_run", acks_late=True, soft_time_limit=60, time_limit=120)
def close_run(run_id: int) -> int:
    return engine.close_run(run_id).pk


@shared_task(name="nightly.mark_run_failed")
def mark_run_failed(run_id: int, *args: object) -> None:
    engine.fail_run(run_id, "A chunk of the run failed; see the worker log.")
