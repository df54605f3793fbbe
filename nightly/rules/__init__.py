"""The checks of the rule catalogue: one set-based query per code.

Each check is a SQL `SELECT` of the failing `service_id`s among the chunk's candidates, the temporary
table `nightly_cand` (alias `c`, one row per candidate with what most rules need: see
`nightly.engine`). A check may also read the live tables, restricted to the chunk's client range
(`%(lo)s`..`%(hi)s`). Parameters: `%(as_of)s` (the run date), `%(lo)s`, `%(hi)s`, `%(tz)s` (the
county's time zone). Checks never loop over services in Python and never run a query per service.

`non_billable=True` marks the checks DOMAIN.md runs on non-billable procedures too (diagnosis, note,
enrollment, credential and duplicate rules); the engine restricts the others to billable candidates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleCheck:
    code: str
    sql: str
    non_billable: bool


REGISTRY: dict[str, RuleCheck] = {}


def rule(code: str, *, non_billable: bool = False) -> Callable[[Callable[[], str]], Callable[[], str]]:
    """Register the function's SQL as the check of `code`."""

    def register(build: Callable[[], str]) -> Callable[[], str]:
        if code in REGISTRY:
            raise ValueError(f"Two checks for {code}")
        REGISTRY[code] = RuleCheck(code=code, sql=build(), non_billable=non_billable)
        return build

    return register


def load_all() -> dict[str, RuleCheck]:
    """Import every rule module (they register themselves) and return the registry."""
    from nightly.rules import (  # noqa: F401 (imported for their registrations)
        address,
        authorization,
        client_account,
        clinician,
        coverage,
        diagnosis,
        duplicates,
        enrollment,
        limits,
        note,
        rate,
        timely_filing,
    )

    return REGISTRY
