"""Writes of the accounts app: users. (The plain record writes of reference data are common/records.py.)"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from common.audit import acting_as


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
    with transaction.atomic(durable=True), acting_as(user):
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
    with transaction.atomic(durable=True), acting_as(user):
        for name, value in fields.items():
            setattr(target, name, value)
        _check_user_fields(role=target.role, agency=target.agency, password=password, instance=target)
        if password is not None:
            target.set_password(password)
        target.full_clean()
        target.save()
    return target
