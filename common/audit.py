"""The audit trail: database triggers (django-pghistory) on every tracked model.

Triggers catch every write, bulk updates and raw SQL included. The acting user is attached by
pghistory's middleware for web requests and by `acting_as` for commands and tasks.

The triggers are statement-level (one call per statement, reading its transition tables), not
row-level: pghistory's and pgtrigger's trigger functions each open a subtransaction (a PL/pgSQL
EXCEPTION block), and PostgreSQL ends every subtransaction by walking the statement's pending
after-trigger events, so row-level triggers made a statement over n rows cost O(n^2). With them,
`make bench`'s one-statement floor over 1,000,000 services ran for over 20 minutes; with statement
triggers it takes about 55 s. The audit rows are the same: one per row written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pghistory

M = TypeVar("M")


def audited(**kwargs: Any) -> Callable[[M], M]:
    """Track inserts, updates and deletes of a model (fresh tracker instances for each model)."""
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), level=pghistory.Statement, **kwargs
    )


def acting_as(user: Any, **metadata: Any) -> Any:
    """Context in which every audit row records `user` (and any metadata, e.g. the nightly run id)."""
    return pghistory.context(user=getattr(user, "pk", user), **metadata)
