"""A service's audit history, read from its pghistory events (the database triggers' rows).

Each event is a full snapshot; the page shows what changed from the previous one, in staff wording,
who did it (the user recorded in the event's context) and, for the nightly run's writes, the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone

from accounts.models import User
from clients.models import Location
from services.models import Procedure, Service

# Snapshot fields shown in the history (the ones staff and the run change), with their labels.
TRACKED_FIELDS: dict[str, str] = {
    "status": "Status",
    "procedure_id": "Procedure",
    "location_id": "Location",
    "mode_of_delivery": "Mode of delivery",
    "start": "Start",
    "duration_minutes": "Duration (minutes)",
    "note_signed": "Note signed",
    "do_not_complete": "Do Not Complete",
    "delay_reason_code": "Delay reason code",
    "units": "Units",
    "rate": "Rate",
    "charge": "Charge",
    "claimed": "Claimed",
    "last_validated_at": "Validated",
}
CHOICES: dict[str, dict[str, str]] = {
    "status": dict(Service.Status.choices),
    "mode_of_delivery": dict(Service.ModeOfDelivery.choices),
}
# A service's history is short; a runaway one is cut to the newest entries.
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    label: str
    who: str
    changes: list[tuple[str, Any, Any]]


class _Names:
    """Procedure and location names of the ids in the snapshots: one query each, whatever the count."""

    def __init__(self, events: list[Any]) -> None:
        self.procedures = {
            p.pk: p.display_code for p in Procedure.objects.filter(pk__in={e.procedure_id for e in events})
        }
        self.locations = {loc.pk: loc.name for loc in Location.objects.filter(pk__in={e.location_id for e in events})}

    def show(self, name: str, value: Any) -> Any:
        if value is None or value == "":
            return None
        if name == "procedure_id":
            return self.procedures.get(value, value)
        if name == "location_id":
            return self.locations.get(value, value)
        if name in CHOICES:
            return CHOICES[name].get(value, value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).strftime("%m/%d/%Y %H:%M")
        if isinstance(value, Decimal) and name in {"rate", "charge"}:
            return f"${value}"
        return value


def _who(metadata: dict[str, Any], users: dict[int, str]) -> str:
    if metadata.get("user") in users:
        return users[metadata["user"]]
    if metadata.get("nightly_run"):
        return f"Nightly run {metadata['nightly_run']}"
    return "System"


def service_history(service: Service, *, overrides: list[Any] | None = None) -> list[HistoryEntry]:
    """Newest first, in a fixed number of queries (events with context, users, procedures, locations,
    the overrides unless the caller already read them)."""
    event_model = apps.get_model("services", "ServiceEvent")
    events = list(
        event_model.objects.filter(pgh_obj_id=service.pk)
        .select_related("pgh_context")
        .order_by("-pgh_id")[:HISTORY_LIMIT]
    )
    events.reverse()
    contexts = [(event.pgh_context.metadata or {}) if event.pgh_context is not None else {} for event in events]
    user_ids = {metadata.get("user") for metadata in contexts} - {None}
    users = {user.pk: user.get_full_name() or user.username for user in User.objects.filter(pk__in=user_ids)}
    names = _Names(events)
    entries: list[HistoryEntry] = []
    previous: Any = None
    for event, metadata in zip(events, contexts, strict=True):
        if previous is None:
            # The insert: what was entered, not a diff from nothing.
            changes = [
                (label, None, names.show(name, getattr(event, name)))
                for name, label in TRACKED_FIELDS.items()
                if getattr(event, name) not in (None, "", False)
            ]
        else:
            changes = [
                (label, names.show(name, getattr(previous, name)), names.show(name, getattr(event, name)))
                for name, label in TRACKED_FIELDS.items()
                if getattr(previous, name) != getattr(event, name)
            ]
        entries.append(
            HistoryEntry(at=event.pgh_created_at, label=event.pgh_label, who=_who(metadata, users), changes=changes)
        )
        previous = event
    entries.reverse()
    override_entries = _override_entries(service, overrides)
    if override_entries:
        # Merged by time, newest first; the sort is stable, so same-instant events keep their order.
        entries = sorted([*override_entries, *entries], key=lambda entry: entry.at, reverse=True)
    return entries


def _override_entries(service: Service, overrides: list[Any] | None) -> list[HistoryEntry]:
    """County billing's overrides of this service's reasons (nightly's FailureOverride rows, read through
    the reverse relation `overrides`): an override changes no column of the service, yet staff must
    see in the history that a reason was let pass, by whom and why."""
    if overrides is None:
        overrides = list(service.overrides.select_related("rule", "created_by").order_by("created_at"))  # type: ignore[attr-defined]
    return [
        HistoryEntry(
            at=override.created_at,
            label="override",
            who=override.created_by.get_full_name() or override.created_by.username,
            changes=[("Override", None, f"{override.rule.code} may pass from the next run: {override.reason}")],
        )
        for override in overrides
    ]
