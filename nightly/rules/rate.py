"""NO_MATCHING_RATE, ZERO_UNITS and BILLED_AMOUNT_INVALID. The rate match (on the billed coverage's
payer) and the units are computed once per candidate when the engine builds `nightly_cand` (the
completion needs them too): see `nightly.engine`."""

from __future__ import annotations

from nightly.rules import rule


@rule("NO_MATCHING_RATE")
def no_matching_rate() -> str:
    return "SELECT c.id AS service_id FROM nightly_cand c WHERE c.rate_amount IS NULL"


@rule("ZERO_UNITS")
def zero_units() -> str:
    return "SELECT c.id AS service_id FROM nightly_cand c WHERE c.unit = 'minute' AND c.units = 0"


@rule("BILLED_AMOUNT_INVALID")
def billed_amount_invalid() -> str:
    # Under a maximum rate the charge is the billed amount: blank, zero or above the maximum fails.
    # At the maximum exactly passes ("up to $5,000").
    return """
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE c.rate_is_maximum
          AND (c.billed_amount IS NULL OR c.billed_amount <= 0 OR c.billed_amount > c.rate_amount)
    """
