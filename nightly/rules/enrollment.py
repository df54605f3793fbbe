"""NOT_ENROLLED_ON_DOS: an enrollment in the service's program spans the date of service.

A requested enrollment (no enrolled date yet) does not count; a discharge on the DOS still does.
"""

from __future__ import annotations

from nightly.rules import rule


@rule("NOT_ENROLLED_ON_DOS", non_billable=True)
def not_enrolled_on_dos() -> str:
    return """
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE NOT EXISTS (
            SELECT 1 FROM clients_enrollment e
            WHERE e.client_id = c.client_id AND e.program_id = c.program_id AND e.client_id BETWEEN %(lo)s AND %(hi)s
              AND e.enrolled_date <= c.dos AND (e.discharged_date IS NULL OR e.discharged_date >= c.dos))
    """
