"""ICD-10-CM code checks against the code set shipped by simple-icd-10-cm."""

from __future__ import annotations

import functools

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


# A search result, at most this many: staff narrow the words rather than scroll.
SEARCH_LIMIT = 25


@functools.cache
def _billable_index() -> tuple[tuple[str, str, str], ...]:
    """(code, description, lower-case description) of every billable code, built once per process
    (about 75,000 codes, 0.3 s)."""
    return tuple(
        (code, icd.get_description(code), f"{code} {icd.get_description(code)}".lower())
        for code in icd.get_all_codes(True)
        if icd.is_leaf(code)
    )


def search(query: str, *, limit: int = SEARCH_LIMIT) -> list[tuple[str, str]]:
    """Billable ICD-10-CM codes whose code or description holds every word of `query`, codes that
    start with the query first (F32 → F32.0 …), then in code order."""
    words = query.lower().replace(",", " ").split()
    if not words or len(query.strip()) < 2:
        return []
    prefix = normalize_code(query) if len(words) == 1 else ""
    found: list[tuple[str, str]] = []
    starting: list[tuple[str, str]] = []
    for code, description, text in _billable_index():
        if all(word in text for word in words):
            (starting if prefix and code.startswith(prefix) else found).append((code, description))
    return (starting + found)[:limit]
