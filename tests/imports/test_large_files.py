"""A large file with a broker configured: the API answers 202 and the Celery task runs the import.

The app runs Celery tasks eagerly in tests (no broker at start-up), so the task runs in-process
when the transaction commits; the behaviour under a real worker is the same `run_import`.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from imports.models import Import
from imports.tasks import run_import_task
from tests.imports.conftest import api_for, csv_bytes, service_row, upload

pytestmark = pytest.mark.django_db


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/15", IMPORT_ASYNC_ROWS=2)
def test_large_file_is_queued_then_run_by_the_task(world, django_capture_on_commit_callbacks):
    rows = [service_row(world, start=f"2026-02-{day:02d} 10:00") for day in range(1, 6)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(world.admin, csv_bytes(rows))
    assert response.status_code == 202
    assert response.data["status"] == "queued"
    assert len(callbacks) == 1
    imp = Import.objects.get(pk=response.data["id"])
    assert imp.status == "committed"
    assert imp.created == 5
    detail = api_for(world.admin).get(f"/api/imports/{imp.pk}/").data
    assert detail["status"] == "committed"
    assert detail["progress"] == 5


def test_task_delivered_again_does_nothing(world):
    response = upload(world.admin, csv_bytes([service_row(world)]))
    imp = Import.objects.get(pk=response.data["id"])
    assert run_import_task(imp.pk) == "committed"
    assert Import.objects.get(pk=imp.pk).created == 1
