"""Celery task of a large import: the same `run_import` as in-process, given the import's id only."""

from __future__ import annotations

from celery import shared_task

from imports.actions import run_import
from imports.models import Import


@shared_task(name="imports.run_import", acks_late=True, soft_time_limit=15 * 60, time_limit=20 * 60)
def run_import_task(import_id: int) -> str:
    imp = Import.objects.get(pk=import_id)
    if imp.finished:
        # Delivered again after a worker died: the import already has its outcome.
        return imp.status
    return run_import(imp).status
