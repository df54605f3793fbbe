"""The audit trail: database triggers (django-pghistory) on every tracked model.

Triggers catch every write, bulk updates and raw SQL included. The acting user is attached by
pghistory's middleware for web requests and by `acting_as` for commands and tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pghistory

M = TypeVar("M")


def audited(**kwargs: Any) -> Callable[[M], M]:
    """Track inserts, updates and deletes of a model (fresh tracker instances for each model)."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs)


def acting_as(user: Any, **metadata: Any) -> Any:
    """Context in which every audit row records `user` (and any metadata, e.g. the nightly run id)."""
    return pghistory.context(user=getattr(user, "pk", user), **metadata)
