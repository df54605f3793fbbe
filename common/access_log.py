"""Reads of PHI and report exports, written to the access log (who, what, which filters).

The audit triggers see writes only; opening a client record or a report, exporting one, and every
API answer that holds client data is recorded here: one row per request (never a row or a query
per record read) with the ids of the clients read and the remote address. Targets and filters hold
ids and codes only, never names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
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


def remote_addr(request: Any) -> str | None:
    """The address the request came from: REMOTE_ADDR, as the sign-in lockout sees it.

    Behind the TLS proxy of docker-compose.yml that is the proxy's address unless the proxy is
    trusted to set it (gunicorn's --forwarded-allow-ips); never a header the caller could forge.
    """
    meta = getattr(request, "META", None) or {}
    address = meta.get("REMOTE_ADDR") or None
    if address is None:
        return None
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return str(address)


def record_access(
    *,
    user: Any,
    action: str,
    target: str,
    filters: Mapping[str, Any] | None = None,
    client_ids: Iterable[int | None] = (),
    request: Any = None,
) -> models.Model:
    """Write one access-log row. `action` is an `AccessLog.Action` value; empty filters are dropped.

    `client_ids`: the clients whose data the answer holds (duplicates and None dropped, sorted);
    `request`: the page's or API's request, for the remote address.
    """
    log_model = _access_log_model()
    if action not in log_model.Action.values:
        raise ValueError(f"Unknown access-log action {action!r}")
    cleaned = {key: _plain(value) for key, value in (filters or {}).items() if value not in (None, "", [], ())}
    return log_model.objects.create(
        user=user,
        action=action,
        target=target,
        filters=cleaned,
        client_ids=sorted({int(pk) for pk in client_ids if pk is not None}),
        remote_addr=remote_addr(request) if request is not None else None,
    )
