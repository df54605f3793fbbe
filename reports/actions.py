"""Writes of the reports app: the county's correction deadline phases (reference data).

Only county billing (and system admins) keep them. Each write validates, runs in one transaction
under `acting_as(user)` (the pghistory triggers record who), and raises a ValidationError naming the
field for bad input.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from common.audit import acting_as
from reports.models import CorrectionDeadline

LABEL_MAX: int = CorrectionDeadline._meta.get_field("label").max_length or 100  # type: ignore[union-attr]


def can_edit_deadlines(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_county or user.is_system_admin))


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _validate(
    *, label: str, month_from: dt.date | None, month_to: dt.date | None, due_date: dt.date | None, pk: int | None
) -> dict[str, Any]:
    """The phase as it will be saved, or a ValidationError naming each bad field.

    Decision: phases may not overlap. A month of service has one correction due date; two phases over
    the same month would leave the reports to pick one silently.
    """
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = ["Give the phase a name (e.g. Phase 1)."]
    elif len(label) > LABEL_MAX:
        errors["label"] = [f"At most {LABEL_MAX} characters."]
    for name, value in (("month_from", month_from), ("month_to", month_to), ("due_date", due_date)):
        if value is None:
            errors[name] = ["This field is required."]
    if errors or month_from is None or month_to is None or due_date is None:
        raise ValidationError(errors)
    month_from, month_to = month_from.replace(day=1), month_to.replace(day=1)
    if month_to < month_from:
        errors["month_to"] = ["The last month cannot be before the first month."]
    elif due_date <= _month_end(month_to):
        errors["due_date"] = [
            f"The due date must be after the last month of service ({_month_end(month_to):%m/%d/%Y})."
        ]
    else:
        others = CorrectionDeadline.objects.filter(month_from__lte=month_to, month_to__gte=month_from)
        if pk is not None:
            others = others.exclude(pk=pk)
        clash = others.order_by("month_from").first()
        if clash is not None:
            errors["month_from"] = [
                f"These months overlap {clash.label} ({clash.month_from:%m/%Y} to {clash.month_to:%m/%Y}): "
                "a month of service has one due date."
            ]
    if errors:
        raise ValidationError(errors)
    return {"label": label, "month_from": month_from, "month_to": month_to, "due_date": due_date}


def _require(user: Any) -> None:
    if not can_edit_deadlines(user):
        raise PermissionDenied("Only county billing keeps the correction deadlines.")


def create_deadline(
    *, user: Any, label: str, month_from: dt.date | None, month_to: dt.date | None, due_date: dt.date | None
) -> CorrectionDeadline:
    _require(user)
    fields = _validate(label=label, month_from=month_from, month_to=month_to, due_date=due_date, pk=None)
    with transaction.atomic(durable=True), acting_as(user):
        return CorrectionDeadline.objects.create(**fields)


def update_deadline(
    *,
    user: Any,
    deadline: CorrectionDeadline,
    label: str,
    month_from: dt.date | None,
    month_to: dt.date | None,
    due_date: dt.date | None,
) -> CorrectionDeadline:
    _require(user)
    fields = _validate(label=label, month_from=month_from, month_to=month_to, due_date=due_date, pk=deadline.pk)
    with transaction.atomic(durable=True), acting_as(user):
        for name, value in fields.items():
            setattr(deadline, name, value)
        deadline.save(update_fields=list(fields))
    return deadline


def delete_deadline(*, user: Any, deadline: CorrectionDeadline) -> None:
    """Services of its months fall back to the default (end of month + CORRECTION_DAYS_AFTER_MONTH)."""
    _require(user)
    with transaction.atomic(durable=True), acting_as(user):
        deadline.delete()
