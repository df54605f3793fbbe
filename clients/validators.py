"""Entry guardrails of the clients app, one place each: the model fields, the API, the forms and the
imports all reach them (field validators run in `full_clean`, which every write action calls)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# An NPI's check digit is the Luhn digit of the 9 first digits behind the ISO prefix 80840 (CMS,
# "Requirements for NPI check digit"); 1234567893 is CMS's own example of a valid NPI.
NPI_PREFIX = "80840"


def npi_check_digit(first_nine: str) -> str:
    """The Luhn check digit of `80840` + the NPI's first nine digits."""
    total = 0
    # Luhn from the right with the check digit left out: double every other digit, the rightmost first.
    for position, char in enumerate(reversed(NPI_PREFIX + first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def npi_is_valid(npi: str) -> bool:
    """10 digits whose last is the Luhn check digit of `80840` + the first nine."""
    return len(npi) == 10 and npi.isdigit() and npi_check_digit(npi[:9]) == npi[9]


def validate_npi(value: str) -> None:
    """A blank NPI passes (claims leave such services out); anything else must be a valid NPI."""
    if value and not npi_is_valid(value):
        raise ValidationError("An NPI is 10 digits with a valid check digit (e.g. 1234567893).", code="npi")


def validate_tax_id(value: str) -> None:
    """A blank tax id passes (claims leave such an agency's services out); else an EIN, 9 digits."""
    if value and not re.fullmatch(r"\d{2}-?\d{7}", value):
        raise ValidationError("A tax id (EIN) is 9 digits, e.g. 12-3456789.", code="tax_id")
