"""Authorizations (TARs): one approved for the procedure covering the service, and its quantity.

AUTHORIZATION_REQUIRED: one approved authorization must cover every calendar day the service spans,
from its date of service to its last day (`nightly_cand.last_day`: a date-range service such as
H0044-U3 spans several days; one ending exactly at midnight does not touch the next day). Two
back-to-back authorizations do not add up: the plan authorizes a stay as one TAR. A presumptive
authorization (approved, `presumptive`, no TAR number) counts like any approved one; a presumptive
one the plan later denied does not.

AUTHORIZATION_EXHAUSTED sums, per approved authorization, the units of the client's show and
complete services of the procedure inside its span, oldest first (start, then id); the service that
takes the total over the quantity and those after it fail. When several approved authorizations
cover a service, it fails only if it is over the quantity in every one of them (any one with room
pays for it). Complete services count with the units they were completed with.
"""

from __future__ import annotations

from nightly.rules import rule
from nightly.rules.sql import COUNTED, counted_units_sql


@rule("AUTHORIZATION_REQUIRED")
def authorization_required() -> str:
    return """
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE c.requires_authorization
          AND NOT EXISTS (
            SELECT 1 FROM services_authorization a
            WHERE a.client_id = c.client_id AND a.client_id BETWEEN %(lo)s AND %(hi)s
              AND a.procedure_id = c.procedure_id AND a.status = 'approved'
              AND a.start_date <= c.dos AND a.end_date >= c.last_day)
    """


@rule("AUTHORIZATION_EXHAUSTED")
def authorization_exhausted() -> str:
    return f"""
        SELECT used.service_id FROM (
            SELECT s.id AS service_id, a.quantity,
                   sum({counted_units_sql("s", "p")}) OVER (PARTITION BY a.id ORDER BY s.start, s.id) AS total
            FROM services_authorization a
            JOIN services_service s ON s.client_id = a.client_id AND s.procedure_id = a.procedure_id
                 AND s.date_of_service BETWEEN a.start_date AND a.end_date AND s.status IN {COUNTED}
            JOIN services_procedure p ON p.id = s.procedure_id
            WHERE a.status = 'approved' AND a.client_id BETWEEN %(lo)s AND %(hi)s AND s.client_id BETWEEN %(lo)s AND %(hi)s
              AND a.client_id IN (SELECT client_id FROM nightly_cand)  -- per client: read only the candidates'
        ) used
        JOIN nightly_cand c ON c.id = used.service_id
        GROUP BY used.service_id
        HAVING bool_and(used.total > used.quantity)
    """
