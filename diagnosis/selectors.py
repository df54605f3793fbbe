"""Reads of diagnosis documents, scoped through `common.scope`, codes prefetched in billing order."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from clients.models import Client
from common.scope import scope_queryset
from diagnosis.icd10 import describe
from diagnosis.models import DiagnosisCode, DiagnosisDocument


def diagnoses_for_user(user: object) -> QuerySet[DiagnosisDocument]:
    return scope_queryset(DiagnosisDocument.objects.select_related("client", "program").prefetch_related("codes"), user)


def describe_codes(documents: list[DiagnosisDocument]) -> None:
    """Attach the ICD-10-CM description to each code of the documents (for the record's rows)."""
    for document in documents:
        for code in document.codes.all():
            code.description = describe(code.code)  # type: ignore[attr-defined]


def diagnoses_with_codes() -> QuerySet[DiagnosisDocument]:
    return DiagnosisDocument.objects.select_related("program", "signed_by").prefetch_related(
        Prefetch("codes", queryset=DiagnosisCode.objects.order_by("billing_order"))
    )


def diagnosis_row(pk: int) -> DiagnosisDocument:
    """One diagnosis as its row on the record shows it (after the caller checked its scope)."""
    document = diagnoses_with_codes().get(pk=pk)
    describe_codes([document])
    return document


def scoped_diagnosis(user: object, client: Client, pk: int) -> DiagnosisDocument:
    return get_object_or_404(scope_queryset(DiagnosisDocument.objects.filter(client=client), user), pk=pk)
