"""Coverage checks: a plan in effect on the date of service, its CIN, the Medi-Cal subscriber, and the
managed care plan that ECM and Community Supports programs need."""

from __future__ import annotations

from nightly.rules import rule
from nightly.rules.sql import MCP_ONLY_PROGRAM_TYPES

# The client-range predicate is redundant but lets each chunk read only its own clients' plans.
_IN_EFFECT = (
    "cv.client_id = c.client_id AND cv.client_id BETWEEN %(lo)s AND %(hi)s"
    " AND cv.start_date <= c.dos AND (cv.end_date IS NULL OR cv.end_date >= c.dos)"
)


@rule("NO_COVERAGE")
def no_coverage() -> str:
    return f"""
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE NOT EXISTS (SELECT 1 FROM coverage_coverage cv WHERE {_IN_EFFECT})
    """


@rule("INSURED_ID_MISSING")
def insured_id_missing() -> str:
    return f"""
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE EXISTS (SELECT 1 FROM coverage_coverage cv WHERE {_IN_EFFECT} AND btrim(cv.insured_id) = '')
    """


@rule("SUBSCRIBER_NOT_CLIENT")
def subscriber_not_client() -> str:
    return f"""
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE EXISTS (
            SELECT 1 FROM coverage_coverage cv JOIN coverage_payer py ON py.id = cv.payer_id
            WHERE {_IN_EFFECT} AND py.payer_type IN ('MEDI_CAL', 'MEDI_CAL_DMC') AND NOT cv.subscriber_is_client)
    """


@rule("MCP_ENROLLMENT_REQUIRED")
def mcp_enrollment_required() -> str:
    return f"""
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE c.program_type IN {MCP_ONLY_PROGRAM_TYPES}
          AND NOT EXISTS (
            SELECT 1 FROM coverage_coverage cv JOIN coverage_payer py ON py.id = cv.payer_id
            WHERE {_IN_EFFECT} AND py.payer_type = 'MCP')
    """
