"""Procedure limits: how often (FREQUENCY_LIMIT_EXCEEDED), how long (DAILY_MAXIMUM_EXCEEDED), and
what must come first (PREREQUISITE_NOT_MET).

Counting is over the client's show and complete services of the procedure (any program), oldest
first: by start, then id (the earlier-entered of two at the same start counts first). Periods are
calendar periods of the county's dates. A limit's `max_minutes` applies per its period (DOMAIN.md's
daily maximums are limits with period `day`).

The counts are per client, so only the candidates' clients are read (`IN (SELECT client_id FROM
nightly_cand)`): for a nightly chunk that changes nothing, for tonight's verdict of a few services of
far-apart clients it keeps the read to those clients instead of every client in the id range.
"""

from __future__ import annotations

from nightly.rules import rule
from nightly.rules.sql import COUNTED, period_key_sql


@rule("FREQUENCY_LIMIT_EXCEEDED")
def frequency_limit_exceeded() -> str:
    # Without distinct dates the n-th service in a period fails when n > max_count. With distinct
    # dates a second service on a date is an extra (fails) and the dates are counted instead.
    return f"""
        SELECT DISTINCT ranked.service_id FROM (
            SELECT s.id AS service_id, l.max_count, l.distinct_dates,
                   row_number() OVER (PARTITION BY l.id, s.client_id, {period_key_sql("l", "s")}
                                      ORDER BY s.start, s.id) AS nth,
                   dense_rank() OVER (PARTITION BY l.id, s.client_id, {period_key_sql("l", "s")}
                                      ORDER BY s.date_of_service) AS nth_date,
                   row_number() OVER (PARTITION BY l.id, s.client_id, s.date_of_service
                                      ORDER BY s.start, s.id) AS nth_on_date
            FROM services_procedurelimit l
            JOIN services_service s ON s.procedure_id = l.procedure_id
            WHERE l.max_count IS NOT NULL
              AND s.client_id BETWEEN %(lo)s AND %(hi)s AND s.client_id IN (SELECT client_id FROM nightly_cand)
              AND s.status IN {COUNTED} AND s.date_of_service <= %(as_of)s
        ) ranked
        JOIN nightly_cand c ON c.id = ranked.service_id
        WHERE CASE WHEN ranked.distinct_dates THEN ranked.nth_on_date > 1 OR ranked.nth_date > ranked.max_count
                   ELSE ranked.nth > ranked.max_count END
    """


@rule("DAILY_MAXIMUM_EXCEEDED")
def daily_maximum_exceeded() -> str:
    return f"""
        SELECT DISTINCT summed.service_id FROM (
            SELECT s.id AS service_id, l.max_minutes,
                   sum(s.duration_minutes) OVER (PARTITION BY l.id, s.client_id, {period_key_sql("l", "s")}
                                                 ORDER BY s.start, s.id) AS minutes
            FROM services_procedurelimit l
            JOIN services_service s ON s.procedure_id = l.procedure_id
            WHERE l.max_minutes IS NOT NULL
              AND s.client_id BETWEEN %(lo)s AND %(hi)s AND s.client_id IN (SELECT client_id FROM nightly_cand)
              AND s.status IN {COUNTED}
        ) summed
        JOIN nightly_cand c ON c.id = summed.service_id
        WHERE summed.minutes > summed.max_minutes
    """


@rule("PREREQUISITE_NOT_MET")
def prerequisite_not_met() -> str:
    return f"""
        SELECT DISTINCT c.id AS service_id
        FROM nightly_cand c
        JOIN services_procedurelimit l ON l.procedure_id = c.procedure_id AND l.prerequisite_procedure_id IS NOT NULL
        LEFT JOIN services_service prior ON prior.client_id = c.client_id AND prior.client_id BETWEEN %(lo)s AND %(hi)s
             AND prior.procedure_id = l.prerequisite_procedure_id
             AND prior.status IN {COUNTED} AND prior.date_of_service < c.dos
        GROUP BY c.id, l.id, l.prerequisite_months
        HAVING count(DISTINCT date_trunc('month', prior.date_of_service)) < l.prerequisite_months
    """
