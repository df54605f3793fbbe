"""Writes of the nightly app: start a run, override one failure reason on one service."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from common.audit import acting_as
from nightly import engine, tasks
from nightly.engine import RunAlreadyActive, create_run, fail_abandoned_runs
from nightly.models import FailureOverride, NightlyRun, Rule
from services.models import Service

__all__ = [
    "RunAlreadyActive",
    "RunFinished",
    "cancel_nightly_run",
    "fail_abandoned_runs",
    "override_failure",
    "start_nightly_run",
]

logger = logging.getLogger(__name__)


def can_run_nightly(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in {"county_billing", "system_admin"})


class RunFinished(Exception):
    """The run to cancel has already finished (API: 409)."""


def cancel_nightly_run(*, user: Any, run: NightlyRun) -> NightlyRun:
    """End a queued or running run as failed with the reason "cancelled" (county billing, system admin).

    Raises PermissionDenied for other roles, RunFinished when the run already finished.
    """
    if not can_run_nightly(user):
        raise PermissionDenied("Only county billing and system admins cancel the nightly run.")
    if not engine.cancel_run(run.pk):
        raise RunFinished(f"Run {run.pk} has already finished.")
    logger.info("nightly run %s cancelled by user %s", run.pk, user.pk)
    run.refresh_from_db()
    return run


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
