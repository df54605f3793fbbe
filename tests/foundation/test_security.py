"""Sign-in lockout, idle session expiry, CSRF, and production settings that pass `check --deploy`."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
START = dt.datetime(2026, 11, 18, 17, 0, tzinfo=dt.UTC)


def _sign_in(browser: Client, username: str, password: str) -> int:
    return browser.post(reverse("login"), {"username": username, "password": password}, secure=True).status_code


@pytest.mark.django_db
def test_five_failed_sign_ins_lock_the_account_even_for_the_right_password() -> None:
    factories.UserFactory(username="mgarcia")
    browser = Client()
    for _ in range(4):
        assert _sign_in(browser, "mgarcia", "Wrong-Pass-1") == 200  # the form again, with an error
    assert _sign_in(browser, "mgarcia", "Wrong-Pass-1") == 429  # the fifth failure locks
    assert _sign_in(browser, "mgarcia", factories.PASSWORD) == 429
    assert "_auth_user_id" not in browser.session


@pytest.mark.django_db
def test_a_success_before_the_limit_clears_the_failures() -> None:
    factories.UserFactory(username="jsmith")
    browser = Client()
    for _ in range(4):
        _sign_in(browser, "jsmith", "Wrong-Pass-1")
    assert _sign_in(browser, "jsmith", factories.PASSWORD) == 302
    browser.logout()
    for _ in range(4):
        _sign_in(browser, "jsmith", "Wrong-Pass-1")
    assert _sign_in(browser, "jsmith", factories.PASSWORD) == 302


@pytest.mark.django_db
def test_session_ends_after_thirty_idle_minutes_but_not_while_in_use() -> None:
    factories.UserFactory(username="idle")
    browser = Client()
    home = reverse("home")
    with time_machine.travel(START, tick=False) as clock:
        assert _sign_in(browser, "idle", factories.PASSWORD) == 302
        clock.shift(dt.timedelta(minutes=29))
        assert browser.get(home, secure=True).status_code == 200  # and the 30 minutes start again
        clock.shift(dt.timedelta(minutes=29))
        assert browser.get(home, secure=True).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = browser.get(home, secure=True)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_sign_in_without_the_csrf_token_is_refused() -> None:
    factories.UserFactory(username="nocsrf")
    browser = Client(enforce_csrf_checks=True)
    assert _sign_in(browser, "nocsrf", factories.PASSWORD) == 403


def test_production_settings_pass_check_deploy() -> None:
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/billing_portal"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "billing.example.org",
    }
    result = subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
