"""Entry guardrails of the clients app, one place each: the model fields, the API, the forms and the
imports all reach them (field validators run in `full_clean`, which every write action calls)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

# An NPI's check digit is the Luhn digit of the 9 first digits behind the ISO prefix 80840 (CMS,
# "Requirements for NPI check digit"); 1234567893 is CMS's own example of a valid NPI.
NPI_PREFIX = "80840"


def npi_is_valid(npi: str) -> bool:
    """10 digits whose last is the Luhn check digit of `80840` + the first nine."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 0
    # Luhn from the right over prefix + 9 digits (the check digit left out): double every other
    # digit starting with the rightmost.
    for position, char in enumerate(reversed(NPI_PREFIX + npi[:9])):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def validate_npi(value: str) -> None:
    """A blank NPI passes (claims leave such services out); anything else must be a valid NPI."""
    if value and not npi_is_valid(value):
        raise ValidationError("An NPI is 10 digits with a valid check digit (e.g. 1234567893).", code="npi")
