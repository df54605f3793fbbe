"""SQL pieces shared by the checks, the engine and the benchmark's raw-SQL floor.

Status and unit values come from the models' choices and the units formula from services/units.py,
so no value is copied into SQL by hand. They are code constants (never input), written as literals
because the checks are plain SQL text registered once at import.
"""

from __future__ import annotations

from clients.models import Program
from coverage.models import Payer
from services.models import Procedure, Service
from services.units import MIDPOINT_MINUTES, MINUTES_PER_UNIT


def literal(value: str) -> str:
    """A choice value of a model as an SQL string literal (letters, digits and underscores only)."""
    if not value.replace("_", "").isalnum():
        raise ValueError(f"Not a choice value: {value!r}")
    return f"'{value}'"


SHOW = literal(Service.Status.SHOW)
COMPLETE = literal(Service.Status.COMPLETE)
# Services that count towards limits, authorizations and duplicates (Service.COUNTED_STATUSES).
COUNTED = "(" + ", ".join(literal(status) for status in Service.COUNTED_STATUSES) + ")"


def candidate_filter(service: str) -> str:
    """The services a run checks (DESIGN.md, Data flow 2): in Show, not Do Not Complete, with a date
    of service on or before the run date (`%(as_of)s`)."""
    return f"{service}.status = {SHOW} AND NOT {service}.do_not_complete AND {service}.date_of_service <= %(as_of)s"


# Programs that bill only the client's Medi-Cal managed care plan (payer type MCP): ECM and
# Community Supports (DOMAIN.md, billed coverage; MCP_ENROLLMENT_REQUIRED).
MCP_ONLY_PROGRAM_TYPES = f"({literal(Program.ProgramType.ECM)}, {literal(Program.ProgramType.CS)})"
MCP_PAYER = literal(Payer.PayerType.MCP)


def last_day_sql(service: str) -> str:
    """The last calendar day (county time) a service spans: its start plus duration, where a service
    ending exactly at midnight does not touch the next day (as the `day` units count)."""
    return (
        f"(timezone(%(tz)s, {service}.start + make_interval(mins => {service}.duration_minutes)"
        " - interval '1 microsecond'))::date"
    )


def units_sql(service: str, procedure: str) -> str:
    """Billable units of a service (DOMAIN.md, Units and charge) as a numeric SQL expression.

    `minute`: Medi-Cal 15-minute units with the midpoint rule, (minutes + 7) div 15, so 0-7 minutes
    give 0 units, 8-22 give 1, 23-37 give 2. `day`: one per calendar day (county time) the service
    spans; a service ending exactly at midnight does not touch the next day. `service`, `month`: 1.

    Overflow is impossible by construction: the sum is taken in bigint, and entry bounds the duration
    to 44,640 minutes (common.bounds, a CHECK on the column), so a service has at most 2,976 minute
    units or 32 day units, within `units` numeric(8,2) and, times a rate of at most 999,999.99, within
    `charge` numeric(12,2).
    """
    return f"""(CASE {procedure}.unit
        WHEN {literal(Procedure.Unit.MINUTE)} THEN (({service}.duration_minutes::bigint + {MIDPOINT_MINUTES}) / {MINUTES_PER_UNIT})::numeric
        WHEN {literal(Procedure.Unit.DAY)} THEN ((timezone(%(tz)s, {service}.start + make_interval(mins => {service}.duration_minutes)
                               - interval '1 microsecond'))::date - {service}.date_of_service + 1)::numeric
        ELSE 1::numeric END)"""


def counted_units_sql(service: str, procedure: str) -> str:
    """Units already set on a complete service (its charge stands), else computed as the run would."""
    return f"(CASE WHEN {service}.status = {COMPLETE} AND {service}.units IS NOT NULL THEN {service}.units ELSE {units_sql(service, procedure)} END)"


def period_key_sql(limit: str, service: str) -> str:
    """The calendar period of a procedure limit that a service falls in (county dates)."""
    return f"""(CASE {limit}.period
        WHEN 'month' THEN date_trunc('month', {service}.date_of_service)::date
        WHEN 'day' THEN {service}.date_of_service
        ELSE NULL::date END)"""
