"""Reads of diagnosis documents, scoped through `common.scope`, codes prefetched in billing order."""

from __future__ import annotations

from django.db.models import QuerySet

from common.scope import scope_queryset
from diagnosis.models import DiagnosisDocument


def diagnoses_for_user(user: object) -> QuerySet[DiagnosisDocument]:
    return scope_queryset(DiagnosisDocument.objects.select_related("client", "program").prefetch_related("codes"), user)
