"""Payers (coverage plans) and the time spans in which a client is covered by one."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q

from accounts.audit import audited
from clients.models import Client
from coverage.validators import CIN_PAYER_TYPES, check_insured_id


@audited()
class Payer(models.Model):
    class PayerType(models.TextChoices):
        MEDI_CAL = "MEDI_CAL", "Medi-Cal"
        MEDI_CAL_DMC = "MEDI_CAL_DMC", "Medi-Cal DMC"
        MEDICARE = "MEDICARE", "Medicare"
        OHC = "OHC", "Other health coverage"
        MCP = "MCP", "Medi-Cal managed care plan"
        COUNTY = "COUNTY", "County"

    # Payer types on which the client must be the subscriber (SUBSCRIBER_NOT_CLIENT).
    MEDI_CAL_TYPES: ClassVar[tuple[str, ...]] = (PayerType.MEDI_CAL, PayerType.MEDI_CAL_DMC)

    # Payer types whose insured id is a Medi-Cal CIN (checked on entry when not blank).
    CIN_TYPES: ClassVar[tuple[str, ...]] = CIN_PAYER_TYPES

    name = models.CharField(max_length=200, unique=True)
    payer_type = models.CharField(max_length=12, choices=PayerType.choices)
    # The payer's X12 identifier (837P loop 2010BB NM109); blank until claims need it.
    payer_id = models.CharField(max_length=80, blank=True, default="", db_default="")
    # TIMELY_FILING_LIMIT: months after the end of the month of service (Medi-Cal 12; plans often 6).
    timely_filing_months = models.PositiveSmallIntegerField(
        default=12, db_default=12, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(timely_filing_months__gte=1, timely_filing_months__lte=120),
                name="payer_timely_filing_months_1_to_120",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DateRangeInclusive(Func):
    """daterange(start, end, '[]'); an open end is unbounded."""

    function = "DATERANGE"
    template = "%(function)s(%(expressions)s, '[]')"
    output_field = models.DateField()


@audited()
class Coverage(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    priority = models.PositiveSmallIntegerField(default=1)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    insured_id = models.CharField(max_length=30, blank=True, help_text="CIN for Medi-Cal")
    subscriber_is_client = models.BooleanField(default=True)

    CLIENT_PATH: ClassVar[str] = "client"

    class Meta:
        ordering = ["client_id", "priority", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="coverage_end_on_or_after_start",
            ),
            models.CheckConstraint(condition=Q(priority__gte=1), name="coverage_priority_positive"),
            # Two plans of one client cannot hold the same priority on the same day.
            ExclusionConstraint(
                name="coverage_no_overlap_same_priority",
                expressions=[
                    ("client", RangeOperators.EQUAL),
                    ("priority", RangeOperators.EQUAL),
                    (DateRangeInclusive("start_date", "end_date"), RangeOperators.OVERLAPS),
                ],
            ),
        ]
        indexes = [
            # NO_COVERAGE, INSURED_ID_MISSING, SUBSCRIBER_NOT_CLIENT, MCP_ENROLLMENT_REQUIRED and rate
            # matching all look up the coverages of a client in effect on a date.
            models.Index(fields=["client", "start_date", "end_date"], name="coverage_client_span_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.payer_id} #{self.priority}"

    def clean(self) -> None:
        """The CIN guardrail, in the one place every coverage write (API, forms, imports) passes."""
        check_insured_id(self.payer.payer_type if self.payer_id else None, self.insured_id)
