"""TIMELY_FILING_LIMIT: billed more than N months after the end of the month of service.

N is the billed payer's `timely_filing_months` (Medi-Cal 12; managed care plans often 6), 12 when
the service has no billed coverage (`nightly_cand.timely_filing_months`). The limit date is the last
day of the N-th month after the month of service (N = 12, DOS 2025-02-10: 2026-02-28; N = 6, DOS
2026-04-15: 2026-10-31); a run on that day passes, the day after fails unless a delay reason code is set.
"""

from __future__ import annotations

from nightly.rules import rule


@rule("TIMELY_FILING_LIMIT")
def timely_filing_limit() -> str:
    return """
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE btrim(c.delay_reason_code) = ''
          AND %(as_of)s::date > (date_trunc('month', c.dos)
                                 + make_interval(months => c.timely_filing_months + 1) - interval '1 day')::date
    """
