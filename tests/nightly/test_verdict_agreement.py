"""Tonight's verdict and the nightly run agree on every service: status, reasons, units, rate, charge.

A randomized county (seeded, so a failure reproduces: the seed is in the test id) is built from the
bench's generator, which triggers every rule of the catalogue, then pushed onto the rules' boundaries
(durations around the unit midpoints and the daily maximum, dates of service on and after the run
date, credentials expiring on the date of service, coverage and diagnoses ending around it, delay
reason codes on old services, Do Not Complete, services moved to Complete or Error that still count
or no longer count), with random overrides, a disabled rule, a warning-severity rule and rules not in
effect on the run date. Every client is checked (`check_client`), a random list mixing clients is
checked (`check_services`), then the nightly run decides; both must say the same for every service.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.conf import settings
from django.db import connection

from nightly import bench
from nightly.engine import run_validation
from nightly.models import FailureOverride, Rule, ServiceFailure
from nightly.verdict import Verdict, check_client, check_services
from services.models import Service
from tests.factories import CountyUserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the bench generator VACUUMs

AS_OF = bench.AS_OF


def _push_to_boundaries(rng: random.Random) -> None:
    """Move a random share of the county onto each rule's edges (plain SQL; the audit triggers run)."""
    tz = settings.TIME_ZONE
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [rng.random()])  # the SQL random() below repeats too
        cursor.execute("SELECT id FROM services_service ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]

        def some(share: float) -> list[int]:
            return sorted(rng.sample(ids, max(1, int(len(ids) * share))))

        for minutes in (7, 8, 22, 23, 479, 480, 481):  # ZERO_UNITS, the units midpoint, the daily maximum
            cursor.execute(
                "UPDATE services_service SET duration_minutes = %s WHERE id = ANY (%s)", [minutes, some(0.01)]
            )
        for days in (-1, 0, 1):  # the run date itself and the day after (not a candidate)
            cursor.execute(
                "UPDATE services_service SET start = timezone(%s, (%s::date + %s)::timestamp + interval '10 hours') "
                "WHERE id = ANY (%s)",
                [tz, AS_OF, days, some(0.01)],
            )
        # Timely filing: the last day of the twelfth month after the month of service, and the day after.
        for dos in (dt.date(2025, 6, 30), dt.date(2025, 5, 31), dt.date(2025, 5, 30)):
            cursor.execute(
                "UPDATE services_service SET start = timezone(%s, %s::timestamp + interval '9 hours') WHERE id = ANY (%s)",
                [tz, dos, some(0.005)],
            )
        cursor.execute("UPDATE services_service SET delay_reason_code = '1' WHERE id = ANY (%s)", [some(0.01)])
        cursor.execute("UPDATE services_service SET do_not_complete = true WHERE id = ANY (%s)", [some(0.01)])
        cursor.execute("UPDATE services_service SET note_signed = false WHERE id = ANY (%s)", [some(0.01)])
        # Statuses that stop (error, no show) or keep (complete, with units) counting towards limits.
        cursor.execute(
            "UPDATE services_service SET status = 'error' WHERE id = ANY (%s) AND status = 'show'", [some(0.01)]
        )
        cursor.execute(
            "UPDATE services_service SET status = 'complete', units = 1, rate = 10, charge = 10 "
            "WHERE id = ANY (%s) AND status = 'show'",
            [some(0.01)],
        )
        # Client-level problems on a random share of each table (the bench's own are rarer).
        for statement in (
            "UPDATE clients_client SET financial_info_complete = false WHERE random() < 0.03",
            "UPDATE clients_client SET address_zip = '9210' WHERE random() < 0.02",
            "UPDATE clients_client SET billing_address = false WHERE random() < 0.02",
            "UPDATE coverage_coverage SET insured_id = '' WHERE random() < 0.03",
            "UPDATE coverage_coverage SET subscriber_is_client = false WHERE random() < 0.03",
            "UPDATE diagnosis_diagnosisdocument SET signed = false WHERE random() < 0.03",
            "UPDATE diagnosis_diagnosisdocument SET effective_date = '2026-05-15' WHERE random() < 0.03 AND end_date IS NULL",
            "UPDATE services_authorization SET quantity = 1 WHERE random() < 0.1",
            "UPDATE services_authorization SET status = 'denied' WHERE random() < 0.05",
        ):
            cursor.execute(statement)
        # Credentials expiring on, before and after a date of service.
        cursor.execute("SELECT DISTINCT date_of_service FROM services_service ORDER BY 1")
        dates = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM clients_staff ORDER BY id")
        for (staff_id,) in cursor.fetchall():
            if rng.random() < 0.15:
                cursor.execute(
                    "UPDATE clients_staff SET credential_expires = %s WHERE id = %s", [rng.choice(dates), staff_id]
                )
        # Coverage and diagnoses ending on or around a date of service; enrollments starting on one.
        cursor.execute("SELECT id FROM coverage_coverage ORDER BY id")
        for (coverage_id,) in cursor.fetchall():
            if rng.random() < 0.05:
                cursor.execute("UPDATE coverage_coverage SET end_date = %s WHERE id = %s AND start_date <= %s",
                               [rng.choice(dates), coverage_id, dates[0]])  # fmt: skip
        cursor.execute("SELECT id FROM diagnosis_diagnosisdocument ORDER BY id")
        for (document_id,) in cursor.fetchall():
            if rng.random() < 0.05:
                end = rng.choice(dates)
                cursor.execute(
                    "UPDATE diagnosis_diagnosisdocument SET end_date = %s WHERE id = %s AND effective_date <= %s",
                    [end, document_id, end],
                )
        cursor.execute("SELECT id FROM clients_enrollment ORDER BY id")
        for (enrollment_id,) in cursor.fetchall():
            if rng.random() < 0.03:
                cursor.execute(
                    "UPDATE clients_enrollment SET enrolled_date = %s, requested_date = LEAST(requested_date, %s) "
                    "WHERE id = %s AND (discharged_date IS NULL OR discharged_date >= %s)",
                    [rng.choice(dates)] * 2 + [enrollment_id, dates[-1]],
                )


def _shuffle_rules(rng: random.Random) -> dict[str, str]:
    """One rule disabled, one a warning, one not yet in effect, one no longer in effect (random, seeded)."""
    codes = sorted(Rule.objects.values_list("code", flat=True))
    disabled, warning, future, past = rng.sample(codes, 4)
    Rule.objects.filter(code=disabled).update(enabled=False)
    Rule.objects.filter(code=warning).update(severity=Rule.Severity.WARNING)
    Rule.objects.filter(code=future).update(effective_from=AS_OF + dt.timedelta(days=1))
    Rule.objects.filter(code=past).update(effective_to=AS_OF - dt.timedelta(days=1))
    return {"disabled": disabled, "warning": warning, "future": future, "past": past}


def _override_some(rng: random.Random, verdicts: dict[int, Verdict]) -> int:
    """Override a random third of the reasons found (the next decision lets them pass for that service)."""
    user = CountyUserFactory()
    rules = dict(Rule.objects.values_list("code", "pk"))
    overrides = [
        FailureOverride(service_id=v.service_id, rule_id=rules[code], reason="agreement test", created_by=user)
        for v in verdicts.values()
        for code in v.codes
        if rng.random() < 0.33
    ]
    FailureOverride.objects.bulk_create(overrides)
    return len(overrides)


def _check_every_client() -> dict[int, Verdict]:
    verdicts: dict[int, Verdict] = {}
    client_ids = Service.objects.filter(status="show").values_list("client_id", flat=True).distinct()
    for client_id in sorted(client_ids):
        verdicts.update(check_client(client_id=client_id, as_of=AS_OF))
    return verdicts


@pytest.mark.parametrize("seed", [3, 11])
def test_check_and_night_agree_on_every_service(seed):
    rng = random.Random(seed)
    bench.build_county(1_600, seed=seed)
    _push_to_boundaries(rng)
    changed = _shuffle_rules(rng)
    before = _check_every_client()
    # The randomized county exercises nearly the whole catalogue (minus the rules switched off).
    found = {code for v in before.values() for code in v.codes}
    assert len(found) >= 17, found  # of the 20 or so in effect
    assert not found & {changed["disabled"], changed["future"], changed["past"]}
    assert _override_some(rng, before) > 0

    verdicts = _check_every_client()
    sample = rng.sample(sorted(verdicts), min(150, len(verdicts)))
    listed = check_services(service_ids=[*sample, max(verdicts) + 10_000], as_of=AS_OF)
    assert listed == {pk: verdicts[pk] for pk in sample}  # the same verdict whichever way it is asked
    assert {v.would_complete for v in verdicts.values()} == {True, False}

    run = run_validation(as_of=AS_OF)

    assert run.services_checked == len(verdicts)
    services = Service.objects.in_bulk(list(verdicts))
    stored: dict[int, list[str]] = {}
    for service_id, code in ServiceFailure.objects.filter(service_id__in=list(verdicts)).values_list(
        "service_id", "rule__code"
    ):
        stored.setdefault(service_id, []).append(code)
    disagreements = []
    for service_id, verdict in verdicts.items():
        service = services[service_id]
        night = (
            service.status == Service.Status.COMPLETE,
            sorted(stored.get(service_id, [])),
            (service.units, service.rate, service.charge) if service.status == Service.Status.COMPLETE else None,
        )
        check = (
            verdict.would_complete,
            sorted(verdict.codes),
            (verdict.units, verdict.rate, verdict.charge) if verdict.would_complete else None,
        )
        if night != check:
            disagreements.append((service_id, night, check))
    assert disagreements == []
