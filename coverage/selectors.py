"""Reads of coverage, scoped through `common.scope`."""

from __future__ import annotations

from django.db.models import QuerySet

from common.scope import scope_queryset
from coverage.models import Coverage, Payer


def coverages_for_user(user: object) -> QuerySet[Coverage]:
    return scope_queryset(Coverage.objects.select_related("client", "payer"), user)


def payers() -> QuerySet[Payer]:
    return Payer.objects.all()
