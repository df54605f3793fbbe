"""Reads of services, authorizations and billing reference data, scoped through `accounts.scope`."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.scope import scope_queryset
from services.models import Authorization, Procedure, ProcedureLimit, Rate, Service


def services_for_user(user: object) -> QuerySet[Service]:
    """Services the user may see, with what a list row shows joined and the current failure reasons
    (with their rule) prefetched, so a page of services costs the same few queries at any size."""
    return scope_queryset(
        Service.objects.select_related(
            "client", "program", "procedure", "clinician", "location", "billed_payer"
        ).prefetch_related("failures__rule"),
        user,
    )


def authorizations_for_user(user: object) -> QuerySet[Authorization]:
    return scope_queryset(Authorization.objects.select_related("client", "payer", "procedure"), user)


def procedures() -> QuerySet[Procedure]:
    return Procedure.objects.all()


def procedure_limits() -> QuerySet[ProcedureLimit]:
    return ProcedureLimit.objects.select_related("procedure", "prerequisite_procedure")


def rates() -> QuerySet[Rate]:
    return Rate.objects.select_related("procedure", "program", "payer")
