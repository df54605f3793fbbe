"""SQL pieces shared by the checks, the engine and the benchmark's raw-SQL floor."""

from __future__ import annotations

# Services that count towards limits, authorizations and duplicates (Service.COUNTED_STATUSES).
COUNTED = "('show', 'complete')"

# Programs that bill only the client's Medi-Cal managed care plan (payer type MCP): ECM and
# Community Supports (DOMAIN.md, billed coverage; MCP_ENROLLMENT_REQUIRED).
MCP_ONLY_PROGRAM_TYPES = "('ECM', 'CS')"


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
    """
    return f"""(CASE {procedure}.unit
        WHEN 'minute' THEN (({service}.duration_minutes + 7) / 15)::numeric
        WHEN 'day' THEN ((timezone(%(tz)s, {service}.start + make_interval(mins => {service}.duration_minutes)
                               - interval '1 microsecond'))::date - {service}.date_of_service + 1)::numeric
        ELSE 1::numeric END)"""


def counted_units_sql(service: str, procedure: str) -> str:
    """Units already set on a complete service (its charge stands), else computed as the run would."""
    return f"(CASE WHEN {service}.status = 'complete' AND {service}.units IS NOT NULL THEN {service}.units ELSE {units_sql(service, procedure)} END)"


def period_key_sql(limit: str, service: str) -> str:
    """The calendar period of a procedure limit that a service falls in (county dates)."""
    return f"""(CASE {limit}.period
        WHEN 'month' THEN date_trunc('month', {service}.date_of_service)::date
        WHEN 'day' THEN {service}.date_of_service
        ELSE NULL::date END)"""
