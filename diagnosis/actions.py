"""Writes of diagnosis documents and their ICD-10-CM codes (STYLE.md, "Writes")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clients.models import Client, Program
from common.audit import acting_as
from common.scope import scope_queryset
from common.selectors import in_scope
from diagnosis.icd10 import billable_code_error, normalize_code
from diagnosis.models import DiagnosisCode, DiagnosisDocument

DOCUMENT_FIELDS = frozenset({"program", "effective_date", "end_date", "codes", "signed"})


def clean_codes(codes: Any) -> list[str]:
    """The codes normalised, in billing order; every one must be a billable ICD-10-CM code."""
    if not isinstance(codes, list | tuple) or not all(isinstance(code, str) for code in codes):
        raise ValidationError({"codes": ["Give the codes as a list, in billing order."]})
    if not codes:
        raise ValidationError({"codes": ["A diagnosis needs at least one code."]})
    problems = [problem for code in codes if (problem := billable_code_error(code))]
    if problems:
        raise ValidationError({"codes": problems})
    normalized = [normalize_code(code) for code in codes]
    if len(set(normalized)) != len(normalized):
        raise ValidationError({"codes": ["A code appears more than once."]})
    return normalized


def _validate(document: DiagnosisDocument, user: User) -> None:
    errors: dict[str, list[str]] = {}
    if not in_scope(user, document.client):
        errors["client"] = ["Unknown client."]
    if not scope_queryset(Program.objects.filter(pk=document.program_id), user).exists():
        errors["program"] = ["Unknown program."]
    if document.effective_date is None:
        errors["effective_date"] = ["This field is required."]
    elif document.end_date is not None and document.end_date < document.effective_date:
        errors["end_date"] = ["The end date cannot be before the effective date."]
    if errors:
        raise ValidationError(errors)


def _replace_codes(document: DiagnosisDocument, codes: list[str]) -> None:
    document.codes.all().delete()
    DiagnosisCode.objects.bulk_create(
        DiagnosisCode(document=document, code=code, billing_order=order) for order, code in enumerate(codes, start=1)
    )


def _set_signed(document: DiagnosisDocument, user: User, signed: bool) -> None:
    if signed and not document.signed:
        document.signed, document.signed_at, document.signed_by = True, timezone.now(), user
    elif not signed:
        document.signed, document.signed_at, document.signed_by = False, None, None


def create_diagnosis(
    *,
    user: User,
    client: Client,
    program: Program,
    effective_date: dt.date,
    end_date: dt.date | None = None,
    codes: list[str],
    signed: bool = False,
) -> DiagnosisDocument:
    normalized = clean_codes(codes)
    document = DiagnosisDocument(client=client, program=program, effective_date=effective_date, end_date=end_date)
    _validate(document, user)
    with transaction.atomic(durable=True), acting_as(user):
        _set_signed(document, user, signed)
        document.full_clean()
        document.save()
        _replace_codes(document, normalized)
    return document


def update_diagnosis(*, user: User, document: DiagnosisDocument, **fields: Any) -> DiagnosisDocument:
    """Change a document; `codes` replaces every code, in the order given (billing order)."""
    if not in_scope(user, document):
        raise ValidationError({"document": ["Unknown diagnosis."]})
    unknown = sorted(set(fields) - DOCUMENT_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed on a diagnosis."] for name in unknown})
    codes = clean_codes(fields.pop("codes")) if "codes" in fields else None
    signed = fields.pop("signed", None)
    with transaction.atomic(durable=True), acting_as(user):
        for name, value in fields.items():
            setattr(document, name, value)
        _validate(document, user)
        if signed is not None:
            _set_signed(document, user, signed)
        document.full_clean()
        document.save()
        if codes is not None:
            _replace_codes(document, codes)
    return document


def sign_diagnosis(*, user: User, document: DiagnosisDocument) -> DiagnosisDocument:
    if not in_scope(user, document):
        raise ValidationError({"document": ["Unknown diagnosis."]})
    with transaction.atomic(durable=True), acting_as(user):
        _set_signed(document, user, True)
        document.save(update_fields=["signed", "signed_at", "signed_by"])
    return document
