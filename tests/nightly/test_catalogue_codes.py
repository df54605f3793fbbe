"""The rule codes other layers use by name (nightly.catalogue.Code) are codes of the catalogue."""

from __future__ import annotations

from nightly.catalogue import CATALOGUE, Code
from nightly.rules import load_all


def test_every_named_code_is_in_the_catalogue_and_has_a_check() -> None:
    catalogue = {entry.code for entry in CATALOGUE}
    checks = set(load_all())
    assert {code.value for code in Code} <= catalogue
    assert {code.value for code in Code} <= checks
