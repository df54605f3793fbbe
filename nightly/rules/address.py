"""ADDRESS_INCOMPLETE: the client's billing address and its parts.

The same reading as the client page's `clients.record.check_address` (same patterns): street, city,
state and zip present; state two letters; zip 5 or 9 digits (with or without the dash); the billing
box ticked; not the whole address typed on the street line (a state and zip at its end, or two
commas). `HOMELESS` on the street line is a valid street; the client's city, state and zip lines must
still be filled and valid (staff usually enter the agency's there; any valid values pass).
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
                   btrim(cl.address_city) AS city,
                   btrim(cl.address_state) AS state,
                   btrim(cl.address_zip) AS zip
            FROM nightly_cand c
            JOIN clients_client cl ON cl.id = c.client_id AND cl.id BETWEEN %(lo)s AND %(hi)s
        ) a
        WHERE NOT a.billing_address
           OR a.street = '' OR a.city = ''
           OR a.state !~ '^[A-Za-z]{2}$'
           OR a.zip !~ '^\d{5}(-?\d{4})?$'
           OR (NOT a.homeless AND (a.street ~ '\m[A-Za-z]{2}\s+\d{5}(-?\d{4})?\s*$' OR a.street ~ ',.*,'))
    """
