"""Tonight's verdict, now: what the nightly run would decide for some services, without writing.

One engine, two uses. `check_services` and `check_client` run the engine's own decision step
(`nightly.engine.find_failures`: CANDIDATES_SQL and every rule statement, the same catalogue,
severities, overrides, disabled and not-yet-effective rules skipped) for those services only, read
the outcome from its temporary tables, and roll the savepoint back: the temporary tables are gone
and no table of the portal is written. There is no second implementation of any rule here.

How the candidates are narrowed: the engine selects a chunk's candidates by client-id range
(`%(lo)s`..`%(hi)s`, which the rules also use to bound what they read of the live tables) and,
for the check, by a list of service ids (`%(service_ids)s`). `check_client` is exactly a nightly
chunk of one client. `check_services` is one pass over the range from the lowest to the highest
client of the services, narrowed to those ids; the rules that count over a client's services
(limits, authorizations) read only the candidates' clients, so a list mixing far-apart clients
(a page of the Services list, an import) costs one pass, a fixed number of queries, never one per
service or per client.

Decisions where the documents leave a case open:
* Only services the night would look at get a verdict (status Show, not Do Not Complete, dated on or
  before `as_of`); other ids are left out of the result (the API shows `check: null` for them).
* A failing service's verdict carries no units, rate or charge (the night leaves them empty); a
  passing one carries exactly what the night would write (rounded to the columns' 2 decimals).
* Warning-severity reasons are listed but do not stop `would_complete`, as in the night.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from nightly.engine import active_rules, find_failures
from nightly.rules import load_all

# The most services one check may name (the API's and the pages' bound).
MAX_SERVICES = 1000

# One row per candidate: joined and grouped (not a subquery per candidate: nightly_fail has no index).
VERDICT_SQL = """
SELECT c.id,
       NOT coalesce(bool_or(f.blocking), false) AS completes,
       c.units::numeric(8, 2), coalesce(c.rate, 0)::numeric(10, 2),
       (c.units * coalesce(c.rate, 0))::numeric(12, 2),
       coalesce(json_agg(json_build_array(r.code, r.message, r.resolution_hint) ORDER BY r.position, r.code)
                FILTER (WHERE r.id IS NOT NULL), '[]'::json)
FROM nightly_cand c
LEFT JOIN nightly_fail f ON f.service_id = c.id
LEFT JOIN nightly_rule r ON r.id = f.rule_id
GROUP BY c.id, c.units, c.rate
ORDER BY c.id
"""


@dataclass(frozen=True)
class Verdict:
    """What tonight's run would decide for one service (as of a date)."""

    service_id: int
    would_complete: bool
    # (code, message, resolution hint), in catalogue order; warnings included.
    reasons: tuple[tuple[str, str, str], ...]
    # Set only when the service would complete: what the run would write.
    units: Decimal | None
    rate: Decimal | None
    charge: Decimal | None

    @property
    def codes(self) -> list[str]:
        return [code for code, _message, _hint in self.reasons]

    def as_api(self) -> dict[str, Any]:
        """The object of API.md ("Tonight's verdict"); `hint` is an addition beside `code` and `message`."""
        return {
            "service": self.service_id,
            "would_complete": self.would_complete,
            "reasons": [{"code": code, "message": message, "hint": hint} for code, message, hint in self.reasons],
            "units": self.units,
            "rate": self.rate,
            "charge": self.charge,
        }


def _decide(*, lo: int, hi: int, service_ids: list[int] | None, as_of: Any) -> dict[int, Verdict]:
    checks = load_all()
    rules = active_rules(as_of)
    params = {"as_of": as_of, "lo": lo, "hi": hi, "tz": settings.TIME_ZONE, "service_ids": service_ids}
    with transaction.atomic(), connection.cursor() as cursor:
        find_failures(cursor, params=params, rules=rules, checks=checks)
        cursor.execute(VERDICT_SQL)
        verdicts = {
            service_id: Verdict(
                service_id=service_id,
                would_complete=completes,
                reasons=tuple((code, message, hint) for code, message, hint in reasons),
                units=units if completes else None,
                rate=rate if completes else None,
                charge=charge if completes else None,
            )
            for service_id, completes, units, rate, charge, reasons in cursor.fetchall()
        }
        # Leave nothing behind: the temporary tables go with the savepoint (or transaction).
        transaction.set_rollback(True)
    return verdicts


def check_services(*, service_ids: Iterable[int], as_of: Any) -> dict[int, Verdict]:
    """Tonight's verdict for these services as of `as_of`, keyed by service id.

    Services the night would not look at (not in Show, Do Not Complete, dated after `as_of`,
    unknown ids) are absent. Scope is the caller's business: pass only ids the user may see.
    """
    ids = sorted({int(pk) for pk in service_ids})
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(client_id), max(client_id) FROM services_service WHERE id = ANY (%s::bigint[])", [ids]
        )
        lo, hi = cursor.fetchone()
    if lo is None:
        return {}
    return _decide(lo=lo, hi=hi, service_ids=ids, as_of=as_of)


def check_client(*, client_id: int, as_of: Any) -> dict[int, Verdict]:
    """Tonight's verdict for every service of the client the night would look at: a nightly chunk of one client."""
    return _decide(lo=client_id, hi=client_id, service_ids=None, as_of=as_of)
