"""Issue 9 item 6: a burst of requests against a real server answers no 500 and leaves no database
connection behind.

The server is a real subprocess on 127.0.0.1 reading the test database: `manage.py runserver` as
`make demo` starts it (a thread per request, so no persistent connections), and gunicorn as the
Dockerfile starts it (persistent connections, at most one per worker thread). A few thousand
requests from a pool of client threads, then pg_stat_activity for the test database is counted.
The concurrency stays far below PostgreSQL's default max_connections of 100, which a new machine has.
"""

from __future__ import annotations

import collections
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from accounts.tokens import issue_token
from tests.api.conftest import make_agency_world

ROOT = Path(__file__).resolve().parents[2]
# runserver accepts 10 waiting connections (Django's WSGIServer.request_queue_size); more clients at
# once would be refused by TCP, which is not what is measured here.
CONCURRENCY = 8
# Light routes that each reach the database (token, scope, access log): the connections are measured.
ROUTES = ["/api/clients/", "/api/enrollments/", "/api/locations/", "/login/"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def other_connections() -> int:
    """Connections to the test database other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


class PeakConnections(threading.Thread):
    """Samples the server's connections to the test database every 50 ms while a burst runs (on a
    connection of its own, left out of the count like the test's)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        with connection.cursor() as cursor:
            cursor.execute("select pg_backend_pid()")
            self.test_pid = cursor.fetchone()[0]
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        db = connection.settings_dict
        sampler = psycopg2.connect(
            dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"]
        )
        try:
            with sampler.cursor() as cursor:
                while not self.done.wait(0.05):
                    cursor.execute(
                        "select count(*) from pg_stat_activity where datname = current_database()"
                        " and pid <> pg_backend_pid() and pid <> %s",
                        [self.test_pid],
                    )
                    self.peak = max(self.peak, cursor.fetchone()[0])
                    sampler.rollback()
        finally:
            sampler.close()

    def __enter__(self) -> PeakConnections:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join()


def start_server(command: list[str], port: int, extra_env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The server's output goes to `log`, whose end the failing assertion shows."""
    env = {**os.environ, "DATABASE_URL": database_url(), **extra_env}
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603  # our own commands
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError("the server stopped")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not answer within 60 seconds")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def burst(port: int, token: str, requests: int) -> collections.Counter[int | str]:
    """`requests` GETs spread over ROUTES from CONCURRENCY threads; the count of each status."""

    def one(index: int) -> int | str:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{ROUTES[index % len(ROUTES)]}", headers={"Authorization": f"Token {token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # http://127.0.0.1 only
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except urllib.error.URLError as error:
            return f"URLError {error.reason}"
        except (ConnectionError, TimeoutError) as error:
            return type(error).__name__

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        return collections.Counter(pool.map(one, range(requests)))


def settle(limit: int) -> int:
    """Connections a finished server may close a moment later: wait up to 5 seconds for `limit`."""
    deadline = time.monotonic() + 5
    count = other_connections()
    while count > limit and time.monotonic() < deadline:
        time.sleep(0.2)
        count = other_connections()
    return count


@pytest.fixture
def token(transactional_db: None) -> str:
    return issue_token(make_agency_world("a").admin)


def tail(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if '" 200 ' not in line]
    return "\n".join(lines[-30:])


def test_a_burst_against_runserver_as_make_demo_starts_it_leaves_no_connection(token, tmp_path):
    """`make demo` serves with runserver, a new thread per request: a persistent connection per thread
    outlived it (96 idle connections, then "too many clients already"). Under runserver there are
    none, whatever DATABASE_CONN_MAX_AGE says."""
    port = free_port()
    server = start_server(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        port,
        {"DATABASE_CONN_MAX_AGE": "60"},
        tmp_path / "server.log",
    )
    try:
        with PeakConnections() as during:
            statuses = burst(port, token, 2000)
        left = settle(0)
    finally:
        stop(server)
    assert statuses == collections.Counter({200: 2000}), (statuses, tail(tmp_path / "server.log"))
    # About one connection per request in flight, closed when it ends (before: one per thread ever
    # started, about 100 after 750 requests at this concurrency). A thread closes its connection just
    # after its response went out, when the client may already have sent its next request, so a loaded
    # machine sees a few more than CONCURRENCY for an instant (9 was seen); the bound is the clients'
    # number, not the requests'.
    assert during.peak <= 2 * CONCURRENCY, during.peak
    assert left == 0, tail(tmp_path / "server.log")


def test_a_burst_against_gunicorn_keeps_one_connection_per_worker_thread(token, tmp_path):
    """Production (Dockerfile): persistent connections with health checks, one per worker thread,
    so workers x threads bounds them however many requests come."""
    port = free_port()
    workers, threads = 2, 4
    server = start_server(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "billing_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        port,
        {"DATABASE_CONN_MAX_AGE": "60"},
        tmp_path / "server.log",
    )
    try:
        with PeakConnections() as during:
            statuses = burst(port, token, 1000)
        held = settle(workers * threads)
    finally:
        stop(server)
    assert statuses == collections.Counter({200: 1000}), (statuses, tail(tmp_path / "server.log"))
    assert during.peak <= workers * threads, during.peak
    assert 0 < held <= workers * threads  # kept for the next requests, never more
