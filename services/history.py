"""A service's audit history, read from its pghistory events (the database triggers' rows).

Each event is a full snapshot; the page shows what changed from the previous one, who did it (the
user recorded in the event's context) and, for the nightly run's updates, the run id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from accounts.models import User
from services.models import Service

# Snapshot fields shown in the history (the ones staff and the run change); labels as on the page.
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
}
# A service's history is short; a runaway one is cut to the newest entries.
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    label: str
    who: str
    changes: list[tuple[str, Any, Any]]


def service_history(service: Service) -> list[HistoryEntry]:
    """Newest first. Two queries: the events (with their context) and the users named in them."""
    event_model = apps.get_model("services", "ServiceEvent")
    events = list(
        event_model.objects.filter(pgh_obj_id=service.pk)
        .select_related("pgh_context")
        .order_by("-pgh_id")[:HISTORY_LIMIT]
    )
    events.reverse()
    user_ids = {(event.pgh_context.metadata or {}).get("user") for event in events if event.pgh_context is not None} - {
        None
    }
    users = {user.pk: user.get_full_name() or user.username for user in User.objects.filter(pk__in=user_ids)}
    entries: list[HistoryEntry] = []
    previous: Any = None
    for event in events:
        metadata = (event.pgh_context.metadata or {}) if event.pgh_context is not None else {}
        if metadata.get("user") in users:
            who = users[metadata["user"]]
        elif metadata.get("nightly_run"):
            who = f"Nightly run {metadata['nightly_run']}"
        else:
            who = "System"
        changes = [
            (label, getattr(previous, name) if previous is not None else None, getattr(event, name))
            for name, label in TRACKED_FIELDS.items()
            if previous is None or getattr(previous, name) != getattr(event, name)
        ]
        if previous is None:
            # The insert: list what was entered, not a diff from nothing.
            changes = [(label, None, value) for label, _old, value in changes if value not in (None, "", False)]
        entries.append(HistoryEntry(at=event.pgh_created_at, label=event.pgh_label, who=who, changes=changes))
        previous = event
    entries.reverse()
    return entries
