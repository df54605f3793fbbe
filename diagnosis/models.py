"""Diagnosis documents: a client's diagnoses in one program, effective over a span, signed."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from clients.models import Client, Program
from common import bounds
from common.audit import audited


@audited()
class DiagnosisDocument(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="diagnoses")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="diagnoses")
    effective_date = models.DateField(validators=bounds.date_validators())
    end_date = models.DateField(null=True, blank=True, validators=bounds.date_validators())
    signed = models.BooleanField(default=False)
    signed_at = models.DateTimeField(null=True, blank=True, validators=bounds.datetime_validators())
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    AGENCY_PATH: ClassVar[str] = "program__agency"

    class Meta:
        ordering = ["client_id", "program_id", "effective_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("effective_date")),
                name="diagnosis_end_on_or_after_effective",
            ),
            models.CheckConstraint(
                condition=Q(signed=False) | Q(signed_at__isnull=False), name="diagnosis_signed_has_time"
            ),
            bounds.date_check("effective_date", name="diagnosis_effective_date_bounds"),
            bounds.date_check("end_date", name="diagnosis_end_date_bounds"),
            bounds.datetime_check("signed_at", name="diagnosis_signed_at_bounds"),
        ]
        indexes = [
            # The four DX_* rules and the Services Diagnosis Error report: a client's documents in a program.
            models.Index(fields=["client", "program", "effective_date"], name="diagnosis_client_program_idx"),
        ]

    def __str__(self) -> str:
        return f"Diagnosis {self.pk} of {self.client_id} in {self.program_id}"


@audited()
class DiagnosisCode(models.Model):
    document = models.ForeignKey(DiagnosisDocument, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=8)
    billing_order = models.PositiveSmallIntegerField(validators=bounds.range_validators(1, bounds.PRIORITY_MAX))

    AGENCY_PATH: ClassVar[str] = "document__program__agency"

    class Meta:
        ordering = ["document_id", "billing_order"]
        constraints = [
            models.UniqueConstraint(fields=["document", "billing_order"], name="diagnosis_code_unique_order"),
            models.UniqueConstraint(fields=["document", "code"], name="diagnosis_code_unique_code"),
            models.CheckConstraint(condition=Q(billing_order__gte=1), name="diagnosis_code_order_positive"),
            bounds.range_check("billing_order", None, bounds.PRIORITY_MAX, name="diagnosis_code_order_bounds"),
        ]

    def __str__(self) -> str:
        return self.code
