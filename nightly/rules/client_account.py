"""FINANCIAL_INFO_INCOMPLETE: the client account's Financial Information is Complete box."""

from __future__ import annotations

from nightly.rules import rule


@rule("FINANCIAL_INFO_INCOMPLETE")
def financial_info_incomplete() -> str:
    return """
        SELECT c.id AS service_id
        FROM nightly_cand c JOIN clients_client cl ON cl.id = c.client_id AND cl.id BETWEEN %(lo)s AND %(hi)s
        WHERE NOT cl.financial_info_complete
    """
