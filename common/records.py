"""The plain record writes that reference data goes through, for every app.

Reference data (agencies, programs, staff, locations, payers, procedures, limits, rates) has no
business rule beyond the model's own fields and constraints, so its writes share three small
actions here instead of one copy per model. Each runs in one transaction and records the acting
user in the audit trail.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from common.audit import acting_as

M = TypeVar("M", bound=models.Model)


# Date spans of reference data: (start field, end field). The models' check constraints hold the same
# rule; checking first names the field in the error instead of a constraint.
SPANS = (("start_date", "end_date"), ("effective_date", "end_date"))


def _check_spans(instance: models.Model) -> None:
    for start_name, end_name in SPANS:
        start, end = getattr(instance, start_name, None), getattr(instance, end_name, None)
        if start is not None and end is not None and end < start:
            raise ValidationError(
                {end_name: [f"The {end_name.replace('_', ' ')} cannot be before the {start_name.replace('_', ' ')}."]}
            )


class RecordInUse(Exception):
    """A record that other records point at cannot be deleted (the API answers 409)."""


def create_record(*, user: Any, model: type[M], **fields: Any) -> M:
    with transaction.atomic(durable=True), acting_as(user):
        return save_new_record(model, **fields)


def update_record(*, user: Any, instance: M, **fields: Any) -> M:
    with transaction.atomic(durable=True), acting_as(user):
        return save_record_changes(instance, **fields)


def save_new_record(model: type[M], **fields: Any) -> M:
    """The write of `create_record`, inside the caller's transaction (a combined action's part)."""
    instance = model(**fields)
    _check_spans(instance)
    instance.full_clean()
    instance.save()
    return instance


def save_record_changes(instance: M, **fields: Any) -> M:
    """The write of `update_record`, inside the caller's transaction (a combined action's part)."""
    for name, value in fields.items():
        setattr(instance, name, value)
    _check_spans(instance)
    instance.full_clean()
    instance.save()
    return instance


def delete_record(*, user: Any, instance: models.Model) -> None:
    """Delete reference data nothing uses yet; a used record raises RecordInUse."""
    try:
        with transaction.atomic(durable=True), acting_as(user):
            instance.delete()
    except models.ProtectedError as exc:
        raise RecordInUse(f"This {instance._meta.verbose_name} is in use and cannot be deleted.") from exc
