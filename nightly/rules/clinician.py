"""The clinician's credential: allowed for the procedure, and not expired on the date of service."""

from __future__ import annotations

from nightly.rules import rule


@rule("CLINICIAN_NOT_CREDENTIALED", non_billable=True)
def clinician_not_credentialed() -> str:
    return """
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE cardinality(c.allowed_credentials) > 0 AND NOT (c.credential = ANY (c.allowed_credentials))
    """


@rule("CREDENTIAL_EXPIRED", non_billable=True)
def credential_expired() -> str:
    # "Expired before the date of service": a credential expiring on the DOS still covers it.
    return "SELECT c.id AS service_id FROM nightly_cand c WHERE c.credential_expires < c.dos"
