"""The billing address check of ADDRESS_INCOMPLETE (DOMAIN.md): its patterns live here, once.

The nightly rule (nightly/rules/address.py) applies them in SQL; the client record's instant
feedback (`check_address`) and the entry checks (`clients.actions.check_address_parts`) in Python.
The patterns are written in the common subset of Python's `re` and PostgreSQL's regular
expressions, except the one-line pattern, whose word boundary each dialect spells its own way.
tests/address_cases.py is the one table of addresses both the page and the rule are tested on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clients.models import Agency, Client

# A client without a home writes HOMELESS on the street line; the city, state and zip lines are still
# filled (staff usually enter the agency's).
HOMELESS = "HOMELESS"
STATE_PATTERN = r"^[A-Za-z]{2}$"
ZIP_PATTERN = r"^\d{5}(-?\d{4})?$"
# "123 Main St, San Diego, CA 92101" typed on the street line: a state and zip at the end, or two
# commas (street, city, state). A word starts at \b in Python and at \m in PostgreSQL.
_ONE_LINE_END = r"[A-Za-z]{2}\s+\d{5}(-?\d{4})?\s*$"
ONE_LINE_PATTERN_SQL = rf"\m{_ONE_LINE_END}"
ONE_LINE_COMMAS = ",.*,"

STATE_RE = re.compile(STATE_PATTERN)
ZIP_RE = re.compile(ZIP_PATTERN)
ONE_LINE_RE = re.compile(rf"(\b{_ONE_LINE_END})|({ONE_LINE_COMMAS})")


@dataclass(frozen=True)
class AddressCheck:
    """The address as the ADDRESS_INCOMPLETE rule reads it, and what is wrong with it."""

    street: str
    city: str
    state: str
    zip: str
    homeless: bool
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems


def check_address(client: Client, agency: Agency | None) -> AddressCheck:
    """The checks of ADDRESS_INCOMPLETE (DOMAIN.md), in staff wording.

    HOMELESS on the street line is a valid street; the client's city, state and zip lines must still
    be filled and valid (staff usually enter the agency's, named in the hint when `agency` is given).
    """
    street = client.address_street.strip()
    homeless = street.upper() == HOMELESS
    city, state, zip_code = client.address_city.strip(), client.address_state.strip(), client.address_zip.strip()
    problems: list[str] = []
    for label, value in (("Street", street), ("City", city), ("State", state), ("Zip", zip_code)):
        if not value:
            problems.append(f"{label} is missing.")
    if state and not STATE_RE.match(state):
        problems.append("State must be a 2-letter code (e.g. CA).")
    if zip_code and not ZIP_RE.match(zip_code):
        problems.append("Zip must have 5 or 9 digits.")
    if street and not homeless and ONE_LINE_RE.search(street):
        problems.append("The whole address seems typed on the street line; put city, state and zip in their fields.")
    if homeless and problems and agency is not None and agency.address_city:
        problems.append(
            f"For a HOMELESS client enter the agency's city, state and zip ({agency.address_city}, "
            f"{agency.address_state} {agency.address_zip})."
        )
    if not client.billing_address:
        problems.append("The billing address box is not ticked.")
    return AddressCheck(street, city, state, zip_code, homeless, problems)
