"""ADDRESS_INCOMPLETE: the client's billing address and its parts.

The same reading as the client record's `clients.address.check_address` (the patterns of
clients/address.py, and one table of cases in tests/address_cases.py): street, city,
state and zip present; state two letters; zip 5 or 9 digits (with or without the dash); the billing
box ticked; not the whole address typed on the street line (a state and zip at its end, or two
commas). `HOMELESS` on the street line is a valid street; the client's city, state and zip lines must
still be filled and valid (staff usually enter the agency's there; any valid values pass).
"""

from __future__ import annotations

from clients.address import HOMELESS, ONE_LINE_COMMAS, ONE_LINE_PATTERN_SQL, STATE_PATTERN, ZIP_PATTERN
from nightly.rules import rule


def incomplete_sql(a: str) -> str:
    """Whether the address read as `a` (street, homeless, billing_address, city, state, zip) fails."""
    return rf"""NOT {a}.billing_address
           OR {a}.street = '' OR {a}.city = ''
           OR {a}.state !~ '{STATE_PATTERN}'
           OR {a}.zip !~ '{ZIP_PATTERN}'
           OR (NOT {a}.homeless AND ({a}.street ~ '{ONE_LINE_PATTERN_SQL}' OR {a}.street ~ '{ONE_LINE_COMMAS}'))"""


def homeless_sql(street: str) -> str:
    return f"upper(btrim({street})) = '{HOMELESS}'"


@rule("ADDRESS_INCOMPLETE")
def address_incomplete() -> str:
    return rf"""
        SELECT a.service_id FROM (
            SELECT c.id AS service_id,
                   btrim(cl.address_street) AS street,
                   {homeless_sql("cl.address_street")} AS homeless,
                   cl.billing_address,
                   btrim(cl.address_city) AS city,
                   btrim(cl.address_state) AS state,
                   btrim(cl.address_zip) AS zip
            FROM nightly_cand c
            JOIN clients_client cl ON cl.id = c.client_id AND cl.id BETWEEN %(lo)s AND %(hi)s
        ) a
        WHERE {incomplete_sql("a")}
    """
