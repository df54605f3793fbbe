"""Entry guardrails of the coverage app, one place each (Coverage.clean calls them, so every write
action, the forms, the admin and the imports reach them)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# Payer types whose insured id is a Medi-Cal CIN (Payer.PayerType values).
CIN_PAYER_TYPES = ("MEDI_CAL", "MEDI_CAL_DMC", "MCP")
CIN_RE = re.compile(r"^\d{8}[A-Z]$")


def check_insured_id(payer_type: str | None, insured_id: str) -> None:
    """A non-blank insured id on Medi-Cal, Medi-Cal DMC or managed care plan coverage is shaped like a
    Medi-Cal CIN: 8 digits and a letter (e.g. 91234567A; the letter upper-cased by the actions). A
    blank one passes: the nightly INSURED_ID_MISSING rule reports it. Other payers' member ids have no
    common shape and are not checked."""
    if insured_id and payer_type in CIN_PAYER_TYPES and not CIN_RE.match(insured_id):
        raise ValidationError({"insured_id": ["A Medi-Cal CIN is 8 digits and a letter (e.g. 91234567A)."]})
