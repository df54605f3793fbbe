"""`manage.py run_nightly` calls the same engine and prints a summary."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from nightly.models import NightlyRun
from services.models import Service
from tests import factories as f
from tests.nightly.conftest import reasons

pytestmark = pytest.mark.django_db


def test_run_nightly_validates_and_prints_the_summary():
    failing = f.billable_service(note_signed=False)
    passing = f.billable_service()
    out = io.StringIO()
    call_command("run_nightly", "--date", "2026-11-21", stdout=out)
    text = out.getvalue()
    assert "2 checked, 1 completed, 1 failing" in text
    assert "NOTE_NOT_SIGNED: 1" in text
    assert reasons(failing) == {"NOTE_NOT_SIGNED"}
    passing.refresh_from_db()
    assert passing.status == Service.Status.COMPLETE


def test_dry_run_writes_nothing():
    service = f.billable_service()
    out = io.StringIO()
    call_command("run_nightly", "--date", "2026-11-21", "--dry-run", stdout=out)
    assert "1 would complete" in out.getvalue()
    service.refresh_from_db()
    assert service.status == Service.Status.SHOW


def test_bad_date_and_busy_run_are_clear_errors():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_nightly", "--date", "21/11/2026")
    NightlyRun.objects.create(as_of="2026-11-21", status=NightlyRun.Status.RUNNING)
    with pytest.raises(CommandError, match="Already running"):
        call_command("run_nightly", "--date", "2026-11-21")
