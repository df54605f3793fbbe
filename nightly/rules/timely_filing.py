"""TIMELY_FILING_LIMIT: billed more than 12 months after the end of the month of service.

The limit date is the last day of the twelfth month after the month of service (DOS 2025-02-10:
2026-02-28); a run on that day passes, the day after fails unless a delay reason code is set.
"""

from __future__ import annotations

from nightly.rules import rule


@rule("TIMELY_FILING_LIMIT")
def timely_filing_limit() -> str:
    return """
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE btrim(c.delay_reason_code) = ''
          AND %(as_of)s::date > (date_trunc('month', c.dos) + interval '13 months' - interval '1 day')::date
    """
