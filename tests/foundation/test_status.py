"""The service status moves DOMAIN.md allows, through services/status.py."""

from __future__ import annotations

import pytest

from services.models import Service
from services.status import ALLOWED_TRANSITIONS, TransitionError, check_transition
from tests import factories

S = Service.Status


def _service(status: str, *, claimed: bool = False) -> Service:
    return factories.ServiceFactory.build(status=status, claimed=claimed)


ALLOWED = [(old, new) for old, targets in ALLOWED_TRANSITIONS.items() for new in sorted(targets)]
REFUSED = [
    (S.ERROR, S.SHOW),
    (S.ERROR, S.COMPLETE),
    (S.COMPLETE, S.SCHEDULED),
    (S.COMPLETE, S.NO_SHOW),
    (S.SCHEDULED, S.COMPLETE),
    (S.NO_SHOW, S.COMPLETE),
    (S.CANCEL, S.COMPLETE),
]


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_status_moves_pass(old: str, new: str) -> None:
    check_transition(_service(old), new, start_in_future=new == S.SCHEDULED)


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_status_moves_outside_the_table_are_refused(old: str, new: str) -> None:
    with pytest.raises(TransitionError, match="cannot be put in"):
        check_transition(_service(old), new, start_in_future=False)


def test_error_is_final() -> None:
    assert ALLOWED_TRANSITIONS[S.ERROR] == frozenset()


@pytest.mark.parametrize("new", [S.ERROR, S.SHOW])
def test_claimed_service_can_never_change_status(new: str) -> None:
    with pytest.raises(TransitionError, match="claim"):
        check_transition(_service(S.COMPLETE, claimed=True), new, start_in_future=False)


@pytest.mark.parametrize("new", [S.SHOW, S.NO_SHOW, S.CANCEL])
def test_future_service_can_only_be_scheduled(new: str) -> None:
    with pytest.raises(TransitionError, match="future"):
        check_transition(_service(S.SCHEDULED), new, start_in_future=True)


def test_correcting_a_complete_unclaimed_service_sends_it_back_to_show() -> None:
    check_transition(_service(S.COMPLETE), S.SHOW, start_in_future=False)


def test_keeping_the_same_status_is_not_a_move() -> None:
    check_transition(_service(S.COMPLETE, claimed=True), S.COMPLETE, start_in_future=False)
