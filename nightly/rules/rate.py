"""NO_MATCHING_RATE and ZERO_UNITS. The rate match and the units are computed once per candidate when
the engine builds `nightly_cand` (the completion needs them too): see `nightly.engine`."""

from __future__ import annotations

from nightly.rules import rule
from nightly.rules.sql import literal
from services.models import Procedure


@rule("NO_MATCHING_RATE")
def no_matching_rate() -> str:
    return "SELECT c.id AS service_id FROM nightly_cand c WHERE c.rate IS NULL"


@rule("ZERO_UNITS")
def zero_units() -> str:
    return (
        f"SELECT c.id AS service_id FROM nightly_cand c WHERE c.unit = {literal(Procedure.Unit.MINUTE)} AND c.units = 0"
    )
