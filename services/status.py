"""The one place that knows which service status moves are allowed (DOMAIN.md, Service statuses)."""

from __future__ import annotations

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
