"""The nightly run on a real Celery worker over Redis: fan-out, the one-run lock, kill and rerun.

The worker is `celery -A billing_portal worker` in a subprocess, pointed at this test database
(transactional tests, so what the test writes is committed and visible to it) and at a Redis
database of its own. It is always terminated, whatever the test's outcome.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.db import connection, connections
from django.db.models import Count

from billing_portal.celery import app
from nightly import actions
from nightly.models import FailureHistory, NightlyRun, NightlyRunChunk, ServiceFailure
from services.models import Service
from tests import factories as f
from tests.nightly.conftest import AS_OF

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Redis database of these tests (the other suites use other numbers).
REDIS_DB = 9
ROOT = Path(__file__).resolve().parents[2]


def _reset_app_connections() -> None:
    app._backend_cache = None
    app._local = threading.local()
    app._after_fork()


@pytest.fixture
def broker_url() -> Iterator[str]:
    url = f"{os.environ.get('REDIS_URL', 'redis://127.0.0.1:6379').rstrip('/')}/{REDIS_DB}"
    redis.Redis.from_url(url).flushdb()
    # The app reads Django settings with the CELERY_ namespace, so its keys are spelled that way.
    keys = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_ALWAYS_EAGER")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(CELERY_BROKER_URL=url, CELERY_RESULT_BACKEND=url, CELERY_TASK_ALWAYS_EAGER=False)
    _reset_app_connections()
    yield url
    app.conf.update(saved)
    _reset_app_connections()
    redis.Redis.from_url(url).flushdb()


class Worker:
    """One `celery worker` process group; `kill()` is SIGKILL to all of it, `stop()` a clean stop."""

    def __init__(self, broker: str, log: Path, **env: str) -> None:
        db = connection.settings_dict
        self.log = log
        environment = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": broker,
            "DATABASE_CONN_MAX_AGE": "0",
            **env,
        }
        self.handle = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (our own celery binary, fixed arguments)
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "billing_portal",
                "worker",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-mingle",
                "--without-gossip",
                f"--hostname=nightly-test-{os.getpid()}-{time.monotonic_ns()}@localhost",
            ],
            cwd=ROOT,
            env=environment,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("The Celery worker did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.1)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()


@pytest.fixture
def start_worker(broker_url, tmp_path) -> Iterator:
    started: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(broker_url, tmp_path / f"worker{len(started)}.log", **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _wait_for(predicate, timeout: float = 90, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out")


def _finished(run_id: int) -> NightlyRun | None:
    run = NightlyRun.objects.get(pk=run_id)
    return run if run.status in {NightlyRun.Status.SUCCEEDED, NightlyRun.Status.FAILED} else None


def _county(clients: int) -> tuple[list[Service], list[Service]]:
    """One service per client; every third fails NOTE_NOT_SIGNED."""
    passing, failing = [], []
    for n in range(clients):
        service = f.billable_service(note_signed=bool(n % 3))
        (passing if n % 3 else failing).append(service)
    return passing, failing


def _assert_every_candidate_once(run: NightlyRun, passing: list[Service], failing: list[Service]) -> None:
    assert run.status == NightlyRun.Status.SUCCEEDED
    assert run.chunks_done == run.chunks_total == NightlyRunChunk.objects.filter(run=run).count()
    assert (run.services_checked, run.services_completed, run.services_failed) == (
        len(passing) + len(failing),
        len(passing),
        len(failing),
    )
    statuses = dict(Service.objects.values_list("id", "status"))
    assert {statuses[s.pk] for s in passing} == {Service.Status.COMPLETE}
    assert {statuses[s.pk] for s in failing} == {Service.Status.SHOW}
    assert ServiceFailure.objects.filter(service__in=failing).count() == len(failing)
    assert not ServiceFailure.objects.filter(service__in=passing).exists()
    # None twice: one history row per failing service, one completing update per passing service.
    assert FailureHistory.objects.filter(run=run).count() == len(failing)
    event_model = Service.events.rel.related_model  # type: ignore[attr-defined]
    completions = (
        event_model.objects.filter(pgh_label="update", status=Service.Status.COMPLETE)
        .values("pgh_obj_id")
        .annotate(n=Count("pgh_id"))
    )
    assert sorted(row["pgh_obj_id"] for row in completions) == sorted(s.pk for s in passing)
    assert {row["n"] for row in completions} == {1}


def test_run_fans_out_over_the_worker_and_the_chord_closes_it(start_worker, county_user):
    passing, failing = _county(9)
    start_worker(NIGHTLY_CHUNK_SERVICES="2")
    run = actions.start_nightly_run(user=county_user, as_of=AS_OF)
    assert run.status == NightlyRun.Status.QUEUED
    run = _wait_for(lambda: _finished(run.pk))
    assert run.chunks_total == 5
    _assert_every_candidate_once(run, passing, failing)
    assert run.failures_by_rule == {"NOTE_NOT_SIGNED": len(failing)}


def test_two_runs_started_together_one_refuses(start_worker, county_user):
    passing, failing = _county(3)
    start_worker()
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def start() -> None:
        try:
            barrier.wait(10)
            outcomes.append(actions.start_nightly_run(user=county_user, as_of=AS_OF))
        except actions.RunAlreadyActive as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    runs = [o for o in outcomes if isinstance(o, NightlyRun)]
    refusals = [o for o in outcomes if isinstance(o, actions.RunAlreadyActive)]
    assert (len(runs), len(refusals)) == (1, 1)
    assert NightlyRun.objects.count() == 1
    run = _wait_for(lambda: _finished(runs[0].pk))
    _assert_every_candidate_once(run, passing, failing)


def test_killed_worker_mid_run_then_rerun_ends_every_candidate_once(start_worker, county_user):
    passing, failing = _county(45)
    first = start_worker(NIGHTLY_CHUNK_SERVICES="1")
    run = actions.start_nightly_run(user=county_user, as_of=AS_OF)
    _wait_for(lambda: NightlyRun.objects.get(pk=run.pk).chunks_done >= 3, interval=0.01)
    first.kill()
    killed = NightlyRun.objects.get(pk=run.pk)
    assert killed.status == NightlyRun.Status.RUNNING
    assert 3 <= killed.chunks_done < killed.chunks_total == 45
    # Redis gives the dead worker's unacknowledged chunk back once the visibility timeout passed.
    time.sleep(2.5)
    start_worker(NIGHTLY_CHUNK_SERVICES="1", CELERY_VISIBILITY_TIMEOUT="2")
    run = _wait_for(lambda: _finished(run.pk))
    _assert_every_candidate_once(run, passing, failing)
    # A second run afterwards finds nothing new to do and changes nothing.
    again = actions.start_nightly_run(user=county_user, as_of=AS_OF)
    again = _wait_for(lambda: _finished(again.pk))
    assert (again.services_checked, again.services_completed, again.services_failed) == (len(failing), 0, len(failing))
