"""`manage.py bench_pages` runs on any database and reports each page for both users (no timing asserted)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tests.reports.conftest import fail, service_on

pytestmark = pytest.mark.django_db


def test_bench_pages_reports_every_page_for_county_and_provider(program, run):
    fail(service_on(dt.date(2026, 9, 1), program=program), "NO_COVERAGE", run=run)
    out = io.StringIO()
    call_command("bench_pages", requests=2, warmup=0, stdout=out)
    lines = out.getvalue().splitlines()
    measured = [
        re.match(r"page=(\S+) user=(\S+) requests=2 p50_ms=[\d.]+ p95_ms=[\d.]+ max_ms=[\d.]+$", line) for line in lines
    ]
    assert sorted(m.groups() for m in measured if m) == sorted(
        (page, user) for page in ("home", "services", "service-errors") for user in ("county", "provider")
    )
    assert re.match(r"bench-pages: worst_p95_ms=[\d.]+ target_ms=300 (ok|over target)$", lines[-1])
    provider = User.objects.get(username="bench-provider")
    assert provider.agency_id == program.agency_id
    assert not provider.has_usable_password()


def test_bench_pages_needs_data(db):
    with pytest.raises(CommandError, match="No programs"):
        call_command("bench_pages", requests=1, stdout=io.StringIO())
