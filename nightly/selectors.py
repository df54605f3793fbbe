"""Reads of the nightly app."""

from __future__ import annotations

from django.db.models import QuerySet

from nightly.models import FailureOverride, NightlyRun
from services.models import Service


def nightly_runs() -> QuerySet[NightlyRun]:
    """Runs, newest first. Runs are county-wide counts (no client data), readable by every role."""
    return NightlyRun.objects.select_related("started_by").order_by("-created_at", "-id")


def overrides_of_service(service: Service) -> QuerySet[FailureOverride]:
    return FailureOverride.objects.filter(service=service).select_related("rule", "created_by").order_by("id")
