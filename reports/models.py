"""The county's correction deadlines: by when services of a range of months must be corrected."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from common.audit import audited


@audited()
class CorrectionDeadline(models.Model):
    """Months of service from `month_from` to `month_to` (first days of months) are due by `due_date`."""

    label = models.CharField(max_length=100)
    month_from = models.DateField()
    month_to = models.DateField()
    due_date = models.DateField()

    class Meta:
        ordering = ["month_from"]
        constraints = [
            models.CheckConstraint(condition=Q(month_to__gte=F("month_from")), name="deadline_month_span"),
            models.CheckConstraint(
                condition=Q(month_from__day=1) & Q(month_to__day=1), name="deadline_months_start_on_first"
            ),
        ]

    def __str__(self) -> str:
        return self.label
