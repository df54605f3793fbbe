"""Entry guardrails of services, one place each. `services.actions` (create and correct a service)
calls them, and so do the API, the pages and the imports, which all write through those actions;
an import may also call them row by row to list every bad row before writing anything.

Each raises a `ValidationError` naming the field. Blank values that a nightly rule reports stay
allowed: a blank delay reason code (TIMELY_FILING_LIMIT), a blank billed amount
(BILLED_AMOUNT_INVALID).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from common import bounds
from services.models import Procedure, Service

DELAY_REASONS = dict(Service.DelayReason.choices)
PROGRAM_DOES_NOT_OFFER = "The program of the service does not offer this procedure."


def normal_delay_reason_code(value: Any) -> str:
    """A code of the X12 claim delay reason list (1-11, 15), or blank. "03" is read as "3"."""
    code = str(value or "").strip()
    if code.isdigit():
        code = str(int(code))
    if code and code not in DELAY_REASONS:
        choices = ", ".join(DELAY_REASONS)
        raise ValidationError({"delay_reason_code": [f"Choose an X12 claim delay reason code: {choices}."]})
    return code


def check_billed_amount(value: Decimal | None) -> None:
    """Blank or zero passes (BILLED_AMOUNT_INVALID reports it at night under a maximum rate); a negative
    amount, one with more than 2 decimals, or one above `common.bounds.BILLED_AMOUNT_MAX` (charged as one
    unit, it must fit the service's charge column) is refused."""
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError({"billed_amount": ["Enter an amount such as 1250.00."]})
    if value < 0:
        raise ValidationError({"billed_amount": ["The billed amount cannot be negative."]})
    if value > bounds.BILLED_AMOUNT_MAX:
        raise ValidationError(
            {"billed_amount": [f"Ensure this value is less than or equal to {bounds.BILLED_AMOUNT_MAX}."]}
        )
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({"billed_amount": ["Enter an amount with at most 2 decimals."]})


def offered_procedures(program: Any) -> Any:
    """The procedures a program offers; an empty queryset means any procedure (none listed)."""
    return Procedure.objects.filter(programs=program)


def check_program_offers(program: Any, procedure: Procedure, *, offered: set[int] | None = None) -> None:
    """A program that lists its procedures (`/api/programs/` `procedures`) takes only those.

    `offered`: the ids of the procedures the program lists (empty = any), when the caller has looked
    them up already (an import, for every program of the file at once)."""
    if offered is not None:
        if offered and procedure.pk not in offered:
            raise ValidationError({"procedure": [PROGRAM_DOES_NOT_OFFER]})
        return
    listed = offered_procedures(program)
    if listed.exists() and not listed.filter(pk=procedure.pk).exists():
        raise ValidationError({"procedure": [PROGRAM_DOES_NOT_OFFER]})
