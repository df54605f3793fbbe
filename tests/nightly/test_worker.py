"""The nightly run on a real Celery worker over Redis: fan-out, the one-run lock, kill and rerun.

The worker is `celery -A billing_portal worker` in a subprocess, pointed at this test database
(transactional tests, so what the test writes is committed and visible to it) and at a Redis
database of its own. It is always terminated, whatever the test's outcome.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import redis
from django.db import connection, connections
from django.db.models import Count
from rest_framework.test import APIClient

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


# --- issue 9: cancel, heartbeat and a failing chunk on a real worker ---------------------------------


class RowLock:
    """A service row held FOR UPDATE by a connection of the test's own, so that the chunk writing it
    waits (a chunk at work, as long as the test likes)."""

    def __init__(self, service_id: int) -> None:
        db = connection.settings_dict
        self.conn = psycopg2.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None, dbname=db["NAME"]
        )
        self.conn.cursor().execute("SELECT 1 FROM services_service WHERE id = %s FOR UPDATE", [service_id])

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


@pytest.fixture
def row_lock() -> Iterator:
    locks: list[RowLock] = []

    def lock(service_id: int) -> RowLock:
        locks.append(RowLock(service_id))
        return locks[-1]

    yield lock
    for held in locks:
        held.release()


def _a_chunk_waits_on_the_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _closed(worker: Worker, run_id: int) -> bool:
    """The run's chord callback has run on the worker (it leaves a cancelled run as it is)."""
    return bool(re.search(rb"Task nightly\.close_run\[[^\]]+\] succeeded", worker.log.read_bytes()))


def _validated(services: list[Service]) -> dict[int, tuple[str, bool]]:
    rows = Service.objects.filter(pk__in=[s.pk for s in services]).values_list("id", "status", "last_validated_at")
    return {pk: (status, validated is not None) for pk, status, validated in rows}


def _each_completed_once(passing: list[Service]) -> None:
    event_model = Service.events.rel.related_model  # type: ignore[attr-defined]
    completions = (
        event_model.objects.filter(pgh_label="update", status=Service.Status.COMPLETE)
        .values("pgh_obj_id")
        .annotate(n=Count("pgh_id"))
    )
    assert sorted(row["pgh_obj_id"] for row in completions) == sorted(s.pk for s in passing)
    assert {row["n"] for row in completions} == {1}


def test_cancel_while_a_chunk_works_rolls_it_back_and_frees_the_lock_at_once(start_worker, county_user, row_lock):
    passing, failing = _county(6)
    blocked = passing[1]  # the third client's service: the third chunk
    lock = row_lock(blocked.pk)
    worker = start_worker(NIGHTLY_CHUNK_SERVICES="1", NIGHTLY_HEARTBEAT_TIMEOUT="5")
    run = actions.start_nightly_run(user=county_user, as_of=AS_OF)
    _wait_for(_a_chunk_waits_on_the_lock)
    # The worker beats while its chunk works (every fifth of the 5-second limit).
    first_beat = NightlyRun.objects.get(pk=run.pk).heartbeat_at
    _wait_for(lambda: NightlyRun.objects.get(pk=run.pk).heartbeat_at > first_beat, timeout=10)

    api = APIClient()
    api.force_authenticate(county_user)
    response = api.post(f"/api/nightly-runs/{run.pk}/cancel/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["error"]) == ("failed", "cancelled")
    done_at_cancel = response.json()["chunks_done"]
    lock.release()
    _wait_for(lambda: _closed(worker, run.pk))

    cancelled = NightlyRun.objects.get(pk=run.pk)
    assert (cancelled.status, cancelled.error) == (NightlyRun.Status.FAILED, "cancelled")
    # The chunk at work kept none of its writes, and no chunk worked after the cancel.
    assert cancelled.chunks_done == done_at_cancel == NightlyRunChunk.objects.filter(run=run).count() == 2
    assert _validated([blocked])[blocked.pk] == (Service.Status.SHOW, False)
    assert not FailureHistory.objects.filter(run=run, service__in=passing[1:] + failing[1:]).exists()
    later = passing[1:] + failing[1:]
    assert set(_validated(later).values()) == {(Service.Status.SHOW, False)}
    assert api.post(f"/api/nightly-runs/{run.pk}/cancel/").status_code == 409

    # The one-run lock is free at once: the next run validates what the cancelled one left.
    again = actions.start_nightly_run(user=county_user, as_of=AS_OF)
    again = _wait_for(lambda: _finished(again.pk))
    assert again.status == NightlyRun.Status.SUCCEEDED
    assert set(_validated(passing).values()) == {(Service.Status.COMPLETE, True)}
    assert ServiceFailure.objects.filter(service__in=failing).count() == len(failing)
    _each_completed_once(passing)


def test_a_killed_worker_is_found_by_its_heartbeat_within_seconds_and_the_next_run_starts(
    start_worker, county_user, row_lock, settings
):
    settings.NIGHTLY_HEARTBEAT_TIMEOUT = 3
    passing, failing = _county(6)
    lock = row_lock(passing[1].pk)
    worker = start_worker(NIGHTLY_CHUNK_SERVICES="1", NIGHTLY_HEARTBEAT_TIMEOUT="3")
    run = actions.start_nightly_run(user=county_user, as_of=AS_OF)
    _wait_for(_a_chunk_waits_on_the_lock)
    # Alive and beating, a run longer than the limit still holds the lock: a slow chunk is not a dead one.
    time.sleep(4)
    with pytest.raises(actions.RunAlreadyActive):
        actions.start_nightly_run(user=county_user, as_of=AS_OF)

    worker.kill()
    lock.release()
    killed_at = time.monotonic()
    again = _wait_for(lambda: _start_if_free(county_user), timeout=30, interval=0.2)
    # Found within the heartbeat limit (plus a beat), not an hour later.
    assert time.monotonic() - killed_at < 10
    dead = NightlyRun.objects.get(pk=run.pk)
    assert dead.status == NightlyRun.Status.FAILED
    assert dead.error == "Abandoned: no heartbeat for more than 3 seconds (the worker stopped)."
    assert dead.chunks_done == 2

    start_worker(NIGHTLY_CHUNK_SERVICES="1", NIGHTLY_HEARTBEAT_TIMEOUT="3")
    again = _wait_for(lambda: _finished(again.pk))
    assert again.status == NightlyRun.Status.SUCCEEDED
    assert set(_validated(passing).values()) == {(Service.Status.COMPLETE, True)}
    assert ServiceFailure.objects.filter(service__in=failing).count() == len(failing)
    _each_completed_once(passing)


def _start_if_free(user) -> NightlyRun | None:
    try:
        return actions.start_nightly_run(user=user, as_of=AS_OF)
    except actions.RunAlreadyActive:
        return None


@pytest.fixture
def fault_on_client() -> Iterator:
    """A trigger (committed: the worker must see it) that makes any write to one client's services fail."""
    created: list[bool] = []

    def install(client_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """CREATE FUNCTION nightly_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
                   BEGIN RAISE EXCEPTION 'fault injected by the test'; END $$"""
            )
            cursor.execute(
                f"""CREATE TRIGGER nightly_test_fault BEFORE UPDATE ON services_service FOR EACH ROW
                    WHEN (NEW.client_id = {int(client_id)}) EXECUTE FUNCTION nightly_test_fault()"""
            )
        created.append(True)

    yield install
    if created:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS nightly_test_fault ON services_service")
            cursor.execute("DROP FUNCTION IF EXISTS nightly_test_fault()")


def test_a_failing_chunk_on_the_worker_is_named_the_others_finish_and_the_run_ends_failed(
    start_worker, county_user, fault_on_client
):
    passing, failing = _county(6)
    faulty = passing[1]
    fault_on_client(faulty.client_id)
    start_worker(NIGHTLY_CHUNK_SERVICES="1")
    run = actions.start_nightly_run(user=county_user, as_of=AS_OF)
    run = _wait_for(lambda: _finished(run.pk))
    assert run.status == NightlyRun.Status.FAILED
    assert (run.chunks_total, run.chunks_done) == (6, 5)
    chunk = NightlyRunChunk.objects.get(run=run, finished_at=None)
    assert chunk.client_lo <= faulty.client_id <= chunk.client_hi
    assert f"clients {chunk.client_lo}-{chunk.client_hi}: InternalError: RaiseException (SQLSTATE P0001)" in run.error
    assert "fault injected" not in run.error
    others = [s for s in passing if s.pk != faulty.pk]
    assert set(_validated(others).values()) == {(Service.Status.COMPLETE, True)}
    assert _validated([faulty])[faulty.pk] == (Service.Status.SHOW, False)
    assert ServiceFailure.objects.filter(service__in=failing).count() == len(failing)
