"""The four billing-diagnosis checks, decided in DOMAIN.md's order (a service gets at most one).

For each candidate, the diagnosis documents of its client in its program:
none at all -> DX_NONE_IN_PROGRAM; none covering the date of service (effective <= DOS <= end, or
open) -> DX_EFFECTIVE_AFTER_DOS when the earliest takes effect after the DOS, else
DX_ENDED_BEFORE_DOS; some cover it but none of those is signed -> DX_NOT_SIGNED. The conditions
exclude one another, so each check stands alone and a disabled one does not shift a service to the
next code. A document whose codes are all removed still counts as the program's diagnosis: the
document, not its codes, is what SmartCare's check reads.
"""

from __future__ import annotations

from nightly.rules import rule

# One row per candidate with what its program's documents say about its date of service.
_SUMMARY = """
    SELECT c.id AS service_id,
           count(d.id) AS documents,
           min(d.effective_date) AS first_effective,
           coalesce(bool_or(d.effective_date <= c.dos AND (d.end_date IS NULL OR d.end_date >= c.dos)), false)
               AS covered,
           coalesce(bool_or(d.signed AND d.effective_date <= c.dos AND (d.end_date IS NULL OR d.end_date >= c.dos)),
                    false) AS covered_signed,
           min(c.dos) AS dos
    FROM nightly_cand c
    LEFT JOIN diagnosis_diagnosisdocument d ON d.client_id = c.client_id AND d.program_id = c.program_id
         AND d.client_id BETWEEN %(lo)s AND %(hi)s
    GROUP BY c.id
"""


@rule("DX_NONE_IN_PROGRAM", non_billable=True)
def dx_none_in_program() -> str:
    return """
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE NOT EXISTS (
            SELECT 1 FROM diagnosis_diagnosisdocument d
            WHERE d.client_id = c.client_id AND d.program_id = c.program_id AND d.client_id BETWEEN %(lo)s AND %(hi)s)
    """


@rule("DX_EFFECTIVE_AFTER_DOS", non_billable=True)
def dx_effective_after_dos() -> str:
    return (
        f"SELECT x.service_id FROM ({_SUMMARY}) x WHERE x.documents > 0 AND NOT x.covered AND x.first_effective > x.dos"
    )


@rule("DX_ENDED_BEFORE_DOS", non_billable=True)
def dx_ended_before_dos() -> str:
    return f"SELECT x.service_id FROM ({_SUMMARY}) x WHERE x.documents > 0 AND NOT x.covered AND x.first_effective <= x.dos"


@rule("DX_NOT_SIGNED", non_billable=True)
def dx_not_signed() -> str:
    return f"SELECT x.service_id FROM ({_SUMMARY}) x WHERE x.covered AND NOT x.covered_signed"
