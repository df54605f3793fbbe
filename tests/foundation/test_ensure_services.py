"""scripts/ensure-services.sh on a newcomer's laptop: no server answers, so it starts private ones."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import redis

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-services.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _run(checkout: Path, arg: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = checkout / "scripts" / "ensure-services.sh"
    return subprocess.run([script, arg], env=env, capture_output=True, text=True, timeout=120, check=True)  # noqa: S603


@pytest.fixture
def checkout() -> Iterator[Path]:
    """A bare checkout holding only the script; world-readable because initdb runs as `postgres` under root."""
    root = Path(tempfile.mkdtemp(prefix="bp-ensure-"))
    root.chmod(0o755)
    (root / "scripts").mkdir()
    shutil.copy(SCRIPT, root / "scripts" / "ensure-services.sh")
    yield root
    _run(root, "stop")
    shutil.rmtree(root, ignore_errors=True)


def test_private_postgres_and_redis_start_when_forced_and_stop_again(checkout: Path) -> None:
    pg_port, redis_port = _free_port(), _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "PG_FORCE_PRIVATE": "1",
        "REDIS_FORCE_PRIVATE": "1",
        "PRIVATE_PG_PORT": str(pg_port),
        "PRIVATE_REDIS_PORT": str(redis_port),
        "DB_NAME": "bp_private_check",
    }
    result = _run(checkout, "redis", env)
    exports = dict(line.removeprefix("export ").replace("'", "").split("=", 1) for line in result.stdout.splitlines())
    assert exports["DATABASE_URL"] == f"postgres://postgres@127.0.0.1:{pg_port}/bp_private_check"
    assert exports["REDIS_URL"] == f"redis://127.0.0.1:{redis_port}"
    assert (checkout / ".local" / "pg" / "data" / "PG_VERSION").exists()

    with psycopg2.connect(exports["DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("select current_database()")
        assert cur.fetchone() == ("bp_private_check",)
    conn.close()
    assert redis.Redis.from_url(exports["REDIS_URL"]).ping()

    # A second call finds the running servers and the database: same answer, nothing recreated.
    again = _run(checkout, "redis", env)
    assert again.stdout == result.stdout
    assert "Creating" not in again.stderr

    _run(checkout, "stop", env)
    assert not _answers(pg_port)
    assert not _answers(redis_port)
