"""ICD-10-CM validation of diagnosis codes (diagnosis/icd10.py)."""

from __future__ import annotations

import pytest

from diagnosis.icd10 import billable_code_error, describe, normalize_code


@pytest.mark.parametrize("code", ["F32.9", "F41.1", "F10.20", "Z59.01", "Z59.02", "Z59.811", "f329", " z59.811 "])
def test_valid_billable_codes_pass(code: str) -> None:
    assert billable_code_error(code) is None


@pytest.mark.parametrize("code", ["F32", "Z59", "Z59.0", "Z59.81"])
def test_category_headers_are_not_billable(code: str) -> None:
    error = billable_code_error(code)
    assert error is not None
    assert "category header" in error


@pytest.mark.parametrize("code", ["F32.X9", "F32.99", "Z59.03", "U99.99", "ABC", ""])
def test_invented_codes_are_refused(code: str) -> None:
    error = billable_code_error(code)
    assert error is not None
    assert "not an ICD-10-CM code" in error


def test_codes_are_normalized_the_way_claims_write_them() -> None:
    assert normalize_code(" z59811 ") == "Z59.811"
    assert normalize_code("f32") == "F32"


def test_description_of_a_homelessness_code() -> None:
    assert "homeless" in describe("Z59.02").lower()
