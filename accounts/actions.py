"""Writes of the accounts app, and the plain record writes that reference data goes through.

Reference data (agencies, programs, staff, locations, payers, procedures, limits, rates) has no
business rule beyond the model's own fields and constraints, so its writes share three small
actions here instead of one copy per model. Each runs in one transaction and records the acting
user in the audit trail.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction

from common.audit import acting_as
from accounts.models import User

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


def create_record(*, user: User, model: type[M], **fields: Any) -> M:
    with transaction.atomic(), acting_as(user):
        instance = model(**fields)
        _check_spans(instance)
        instance.full_clean()
        instance.save()
    return instance


def update_record(*, user: User, instance: M, **fields: Any) -> M:
    with transaction.atomic(), acting_as(user):
        for name, value in fields.items():
            setattr(instance, name, value)
        _check_spans(instance)
        instance.full_clean()
        instance.save()
    return instance


def delete_record(*, user: User, instance: models.Model) -> None:
    """Delete reference data nothing uses yet; a used record raises RecordInUse."""
    try:
        with transaction.atomic(), acting_as(user):
            instance.delete()
    except models.ProtectedError as exc:
        raise RecordInUse(f"This {instance._meta.verbose_name} is in use and cannot be deleted.") from exc


def _check_user_fields(*, role: str, agency: Any, password: str | None, instance: User) -> None:
    errors: dict[str, list[str]] = {}
    if role not in User.Role.values:
        errors["role"] = [f"Choose one of: {', '.join(User.Role.values)}."]
    elif role == User.Role.PROVIDER_ADMIN and agency is None:
        errors["agency"] = ["A provider admin must belong to an agency."]
    if password is not None:
        try:
            validate_password(password, user=instance)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)


def create_user(*, user: User, username: str, password: str, role: str, agency: Any = None, **fields: Any) -> User:
    with transaction.atomic(), acting_as(user):
        new = User(username=username, role=role, agency=agency, **fields)
        _check_user_fields(role=role, agency=agency, password=password, instance=new)
        new.set_password(password)
        new.full_clean()
        new.save()
    return new


def update_user(*, user: User, target: User, password: str | None = None, **fields: Any) -> User:
    """Decision: a system admin cannot demote or deactivate themselves (the last admin would lock
    everyone out of user management); another system admin has to do it."""
    if target.pk == user.pk:
        if fields.get("role", target.role) != target.role:
            raise ValidationError({"role": ["You cannot change your own role."]})
        if fields.get("is_active", True) is False:
            raise ValidationError({"is_active": ["You cannot deactivate yourself."]})
    with transaction.atomic(), acting_as(user):
        for name, value in fields.items():
            setattr(target, name, value)
        _check_user_fields(role=target.role, agency=target.agency, password=password, instance=target)
        if password is not None:
            target.set_password(password)
        target.full_clean()
        target.save()
    return target
