"""NOTE_NOT_SIGNED: the procedure requires a note and it is not signed (billable or not)."""

from __future__ import annotations

from nightly.rules import rule


@rule("NOTE_NOT_SIGNED", non_billable=True)
def note_not_signed() -> str:
    return "SELECT c.id AS service_id FROM nightly_cand c WHERE c.requires_note AND NOT c.note_signed"
