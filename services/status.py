"""The one place that knows which service status moves are allowed (DOMAIN.md, Service statuses)."""

from __future__ import annotations

import datetime as dt

from services.models import Service

S = Service.Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SCHEDULED: frozenset({S.SHOW, S.NO_SHOW, S.CANCEL, S.ERROR}),
    S.SHOW: frozenset({S.COMPLETE, S.ERROR, S.NO_SHOW, S.CANCEL, S.SCHEDULED}),
    S.NO_SHOW: frozenset({S.SHOW, S.ERROR}),
    S.CANCEL: frozenset({S.SHOW, S.ERROR}),
    # A correction sends a complete, unclaimed service back to show for revalidation.
    S.COMPLETE: frozenset({S.SHOW, S.ERROR}),
    S.ERROR: frozenset(),
}


class TransitionError(Exception):
    """A status change that DOMAIN.md does not allow; the message says why, for staff."""


def check_transition(service: Service, new_status: str, *, start_in_future: bool) -> None:
    old = service.status
    if new_status == old:
        return
    if new_status not in ALLOWED_TRANSITIONS.get(old, frozenset()):
        raise TransitionError(f"A service in {S(old).label} cannot be put in {S(new_status).label}.")
    if service.claimed:
        raise TransitionError("This service went out on a claim and can no longer be changed.")
    if start_in_future and new_status != S.SCHEDULED:
        raise TransitionError("A service whose start lies in the future can only be Scheduled.")


# Moves the table allows but only a dedicated action makes: a plain status change (PATCH `status`,
# `actions.set_service_status`) is refused with the action to use instead. Error has `mark-error`,
# which also discards the note; Complete is the nightly run's alone (it sets units, rate and charge);
# Scheduled is for a start still ahead.
MARK_ERROR_INSTEAD = (
    "Put a service in Error with the mark-error action (POST /api/services/{id}/mark-error/, or Mark in Error "
    "on the service page): it also discards the note."
)
NIGHTLY_RUN_INSTEAD = "Only the nightly run completes a service (it sets units, rate and charge); leave it in Show."
NOT_SCHEDULED_AFTER_START = (
    "A service whose start has passed cannot be Scheduled: record it as Show, No Show or Cancel, or enter "
    "a new service for the new date."
)


def plain_move_problem(service: Service, new_status: str, *, now: dt.datetime) -> str | None:
    """Why a plain status change to `new_status` is refused (the action to use), or None."""
    if new_status == service.status:
        return None
    if new_status == S.ERROR:
        return MARK_ERROR_INSTEAD
    if new_status == S.COMPLETE:
        return NIGHTLY_RUN_INSTEAD
    if new_status == S.SCHEDULED and service.start <= now:
        return NOT_SCHEDULED_AFTER_START
    return None
