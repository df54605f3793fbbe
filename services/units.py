"""Billable units of a service (DOMAIN.md, Units and charge): the formula's one home.

The nightly engine computes units in SQL (`nightly.rules.sql.units_sql`, from these constants);
the demo county and the benchmark, which write complete services, compute them here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.models import Procedure

# Medi-Cal 15-minute units with the midpoint rule: a unit counts from its 8th minute, so 0-7 minutes
# give 0 units, 8-22 give 1, 23-37 give 2.
MINUTES_PER_UNIT = 15
MIDPOINT_MINUTES = 7


def minute_units(minutes: int) -> int:
    return (minutes + MIDPOINT_MINUTES) // MINUTES_PER_UNIT


def units_for(unit: str, start: dt.datetime, minutes: int) -> Decimal:
    """Units of a service of `minutes` starting at `start` (aware, in county time) for a procedure
    billed per `unit`: per minute as above, per day one for each calendar day the service touches
    (ending exactly at midnight does not touch the next day), else 1."""
    if unit == Procedure.Unit.MINUTE:
        return Decimal(minute_units(minutes))
    if unit == Procedure.Unit.DAY:
        zone = start.tzinfo
        end = start + dt.timedelta(minutes=minutes)
        return Decimal((end.astimezone(zone).date() - start.date()).days + 1)
    return Decimal(1)
