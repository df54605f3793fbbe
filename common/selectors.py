"""Reads shared by every app: is one record inside a user's agency scope."""

from __future__ import annotations

from django.db import models

from common.scope import scope_queryset


def in_scope(user: object, instance: models.Model) -> bool:
    """Whether `instance` is visible to `user`, decided by the one scope helper."""
    model = type(instance)
    return scope_queryset(model._default_manager.filter(pk=instance.pk), user).exists()
