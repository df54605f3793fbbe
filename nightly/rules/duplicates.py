"""DUPLICATE_SERVICE: same client, procedure, clinician and start as another show or complete service;
the later-entered one (higher id) fails, the first passes."""

from __future__ import annotations

from nightly.rules import rule
from nightly.rules.sql import COUNTED


@rule("DUPLICATE_SERVICE", non_billable=True)
def duplicate_service() -> str:
    return f"""
        SELECT c.id AS service_id FROM nightly_cand c
        WHERE EXISTS (
            SELECT 1 FROM services_service o
            WHERE o.client_id = c.client_id AND o.client_id BETWEEN %(lo)s AND %(hi)s AND o.procedure_id = c.procedure_id
              AND o.clinician_id = c.clinician_id AND o.start = c.start
              AND o.id < c.id AND o.status IN {COUNTED})
    """
