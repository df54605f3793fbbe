"""Reads of imports, scoped through `common.scope`: a provider admin sees their agency's imports."""

from __future__ import annotations

from django.db.models import QuerySet

from common.scope import scope_queryset
from imports.models import Import


def imports_for_user(user: object) -> QuerySet[Import]:
    # The uploaded bytes stay in the database until a page asks for the sheet back.
    return scope_queryset(Import.objects.select_related("user", "agency").defer("source"), user)
