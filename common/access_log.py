"""Reads of PHI and report exports, written to the access log (who, what, which filters).

The audit triggers see writes only; opening a client record or a report, and exporting
one, is recorded here. Targets and filters hold ids and codes only, never names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.db import models


def _access_log_model() -> Any:
    # The model is the accounts app's (models stay in their apps); this library sits below every
    # app, so it asks the app registry for it, as Django's get_user_model() does for the user.
    return apps.get_model("accounts", "AccessLog")


def _plain(value: Any) -> Any:
    """Filters as JSON: lists stay lists, everything else becomes its string form."""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record_access(*, user: Any, action: str, target: str, filters: Mapping[str, Any] | None = None) -> models.Model:
    """Write one access-log row. `action` is an `AccessLog.Action` value; empty filters are dropped."""
    log_model = _access_log_model()
    if action not in log_model.Action.values:
        raise ValueError(f"Unknown access-log action {action!r}")
    cleaned = {key: _plain(value) for key, value in (filters or {}).items() if value not in (None, "", [], ())}
    return log_model.objects.create(user=user, action=action, target=target, filters=cleaned)
