"""Reads of coverage, scoped through `common.scope`."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from clients.models import Client
from common.scope import scope_queryset
from coverage.models import Coverage, Payer


def coverages_for_user(user: object) -> QuerySet[Coverage]:
    return scope_queryset(Coverage.objects.select_related("client", "payer"), user)


def payers() -> QuerySet[Payer]:
    return Payer.objects.all()


def scoped_coverage(user: object, client: Client, pk: int) -> Coverage:
    return get_object_or_404(scope_queryset(Coverage.objects.filter(client=client), user), pk=pk)
