"""NOT_ENROLLED_ON_DOS: an enrollment in the service's program spans the date of service.

A requested enrollment (no enrolled date yet) does not count; a discharge on the DOS still does.

Transition care (DOMAIN.md): a procedure with `transition_days` N > 0 (care coordination: 30, the
warm hand-offs "before admission / after discharge") also passes when the DOS lies between an
enrollment's requested date and its enrolled date (both included), or at most N days after its
discharge date (discharge + N included: with 30, the 30th day after passes and the 31st fails).
Decision: "before admission" needs the admission: while the enrollment is still only requested
(no enrolled date) the service fails, and passes on the first run after the client is enrolled.
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
              AND (
                (e.enrolled_date <= c.dos AND (e.discharged_date IS NULL OR e.discharged_date >= c.dos))
                OR (c.transition_days > 0 AND e.requested_date <= c.dos AND e.enrolled_date >= c.dos)
                OR (c.transition_days > 0 AND e.discharged_date < c.dos
                    AND c.dos <= e.discharged_date + c.transition_days)
              ))
    """
