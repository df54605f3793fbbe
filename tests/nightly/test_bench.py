"""`make bench`'s parts on a small county: the engine and the independent raw-SQL floor must agree.

The figures are measured by `make bench`, never here; this only proves the comparison is sound.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from nightly import bench
from nightly.engine import run_validation
from nightly.models import NightlyRun
from services.models import Service, ServiceEvent

pytestmark = pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside a transaction


def test_engine_and_floor_find_the_same_failures_and_completions():
    candidates = bench.build_county(16_000, seed=3)
    run = run_validation(as_of=bench.AS_OF)
    assert run.services_checked == candidates
    assert 0.05 < run.services_failed / candidates < 0.2  # about 10% failing, as the bench promises
    assert len(run.failures_by_rule) >= 20  # spread over the rules
    bench.save_engine_results()
    bench.reset_results()
    # Back to before the engine: every candidate in Show again, none stamped by this run.
    assert Service.objects.filter(last_validated_at__gte=run.started_at).count() == 0

    floor_run = NightlyRun.objects.create(as_of=bench.AS_OF, status=NightlyRun.Status.RUNNING)
    checked, completed, stamped, *_ = bench.run_floor(floor_run.pk, timezone.now())

    assert (checked, completed, stamped) == (run.services_checked, run.services_completed, run.services_failed)
    assert bench.compare() == (0, 0)
    # The floor pays the same audit cost: one update event per service it wrote.
    assert ServiceEvent.objects.filter(pgh_label="update").count() == completed + stamped


def test_compare_sees_a_difference():
    bench.build_county(800, seed=3)
    run_validation(as_of=bench.AS_OF)
    bench.save_engine_results()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_engine_failure WHERE ctid = (SELECT min(ctid) FROM bench_engine_failure)")
        cursor.execute(
            "UPDATE bench_engine_completion SET charge = charge + 1 WHERE id = (SELECT min(id) FROM bench_engine_completion)"
        )
    assert bench.compare() == (1, 2)


def test_write_floor_writes_exactly_the_engines_outcomes_under_the_same_triggers():
    bench.build_county(800, seed=3)
    run = run_validation(as_of=bench.AS_OF)
    bench.save_engine_results()
    bench.reset_results()
    floor_run = NightlyRun.objects.create(as_of=bench.AS_OF, status=NightlyRun.Status.RUNNING)

    written = bench.run_write_floor(floor_run.pk, timezone.now())

    assert written == run.services_completed + run.services_failed
    assert bench.compare() == (0, 0)  # the same failures and completions as the engine wrote
    assert ServiceEvent.objects.filter(pgh_label="update").count() == written  # one audit row per service


def test_bench_check_gives_one_client_300_services_once_and_checks_them():
    from nightly.management.commands.bench_check import SERVICES, busy_client
    from nightly.verdict import check_client

    bench.build_county(800, seed=3)
    client_id = busy_client()
    assert busy_client() == client_id  # a second bench run reuses them
    assert Service.objects.filter(client_id=client_id, status="show").count() >= SERVICES
    assert len(check_client(client_id=client_id, as_of=bench.AS_OF)) >= SERVICES
