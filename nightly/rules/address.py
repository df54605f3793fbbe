"""ADDRESS_INCOMPLETE: the client's billing address and its parts.

The same reading as the client page's `pages.client_record.check_address` (same patterns): street, city,
state and zip present; state two letters; zip 5 or 9 digits (with or without the dash); the billing
box ticked; not the whole address typed on the street line (a state and zip at its end, or two
commas). `HOMELESS` on the street line is a valid street and the city, state and zip are then those
of the agency of the service's program (a client served by two agencies may pass in one and fail in
the other, as their addresses differ).
"""

from __future__ import annotations

from nightly.rules import rule


@rule("ADDRESS_INCOMPLETE")
def address_incomplete() -> str:
    return r"""
        SELECT a.service_id FROM (
            SELECT c.id AS service_id,
                   btrim(cl.address_street) AS street,
                   upper(btrim(cl.address_street)) = 'HOMELESS' AS homeless,
                   cl.billing_address,
                   CASE WHEN upper(btrim(cl.address_street)) = 'HOMELESS'
                        THEN btrim(ag.address_city) ELSE btrim(cl.address_city) END AS city,
                   CASE WHEN upper(btrim(cl.address_street)) = 'HOMELESS'
                        THEN btrim(ag.address_state) ELSE btrim(cl.address_state) END AS state,
                   CASE WHEN upper(btrim(cl.address_street)) = 'HOMELESS'
                        THEN btrim(ag.address_zip) ELSE btrim(cl.address_zip) END AS zip
            FROM nightly_cand c
            JOIN clients_client cl ON cl.id = c.client_id AND cl.id BETWEEN %(lo)s AND %(hi)s
            JOIN clients_agency ag ON ag.id = c.agency_id
        ) a
        WHERE NOT a.billing_address
           OR a.street = '' OR a.city = ''
           OR a.state !~ '^[A-Za-z]{2}$'
           OR a.zip !~ '^\d{5}(-?\d{4})?$'
           OR (NOT a.homeless AND (a.street ~ '\m[A-Za-z]{2}\s+\d{5}(-?\d{4})?\s*$' OR a.street ~ ',.*,'))
    """
