"""ICD-10-CM code checks against the code set shipped by simple-icd-10-cm."""

from __future__ import annotations

import simple_icd_10_cm as icd


def normalize_code(code: str) -> str:
    """Upper-case with the dot after the third character, as claims and staff write it."""
    raw = code.strip().upper().replace(".", "")
    return raw if len(raw) <= 3 else f"{raw[:3]}.{raw[3:]}"


def billable_code_error(code: str) -> str | None:
    """Why `code` cannot be billed, or None when it is a valid billable (leaf) ICD-10-CM code."""
    normalized = normalize_code(code)
    if not normalized or not icd.is_valid_item(normalized):
        return f"{code!r} is not an ICD-10-CM code."
    if not icd.is_leaf(normalized):
        return f"{normalized} is a category header, not a billable code; use a more specific code."
    return None


def describe(code: str) -> str:
    normalized = normalize_code(code)
    return icd.get_description(normalized) if icd.is_valid_item(normalized) else ""
