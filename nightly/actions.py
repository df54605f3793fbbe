"""Writes of the nightly app: start a run, override one failure reason on one service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from common.audit import acting_as
from nightly import tasks
from nightly.engine import RunAlreadyActive, create_run
from nightly.models import FailureOverride, NightlyRun, Rule
from services.models import Service

__all__ = ["RunAlreadyActive", "fail_abandoned_runs", "override_failure", "start_nightly_run"]


def can_run_nightly(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in {"county_billing", "system_admin"})


def fail_abandoned_runs(*, now: dt.datetime | None = None) -> int:
    """Mark failed the active runs that show no progress for longer than a task may run.

    A run whose worker and broker both lost its messages would otherwise hold the one-run lock
    forever. Progress is the latest of its creation, start and finished chunks.
    """
    now = now or timezone.now()
    limit = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    active = NightlyRun.objects.filter(status__in=[NightlyRun.Status.QUEUED, NightlyRun.Status.RUNNING]).annotate(
        last_chunk=Max("chunks__finished_at")
    )
    abandoned = [
        run.pk
        for run in active
        if max(t for t in (run.created_at, run.started_at, run.last_chunk) if t is not None) < now - limit
    ]
    return NightlyRun.objects.filter(pk__in=abandoned).update(
        status=NightlyRun.Status.FAILED, finished_at=now, error="Abandoned: no progress within the task time limit."
    )


def start_nightly_run(*, user: Any, as_of: dt.date) -> NightlyRun:
    """Create a queued run and hand it to Celery once committed (in-process when no broker).

    Raises PermissionDenied for roles other than county billing and system admin, RunAlreadyActive
    when a run is queued or running.
    """
    if not can_run_nightly(user):
        raise PermissionDenied("Only county billing and system admins start the nightly run.")
    fail_abandoned_runs()
    with transaction.atomic(durable=True), acting_as(user):
        run = create_run(as_of=as_of, user=user)
        transaction.on_commit(lambda: tasks.run_nightly.delay(run_id=run.pk))
    run.refresh_from_db()
    return run


def override_failure(*, user: Any, service: Service, code: str, reason: str) -> FailureOverride:
    """Let failure reason `code` pass for `service` from the next run on (audited with the user)."""
    if not can_run_nightly(user):
        raise PermissionDenied("Only county billing and system admins override failure reasons.")
    reason = (reason or "").strip()
    rule = Rule.objects.filter(code=code).first()
    if rule is None or not reason:
        errors: dict[str, list[str]] = {}
        if rule is None:
            errors["code"] = [f"Unknown failure reason {code!r}."]
        if not reason:
            errors["reason"] = ["Write why this reason may pass."]
        raise ValidationError(errors)
    try:
        with transaction.atomic(durable=True), acting_as(user):
            return FailureOverride.objects.create(service=service, rule=rule, reason=reason, created_by=user)
    except IntegrityError as exc:
        raise ValidationError({"code": ["This reason is already overridden for this service."]}) from exc
