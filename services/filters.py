"""Query-string filters of `/api/services/` (API.md): ids, status, failure reason, date-of-service range."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from common.viewsets import IdFilter
from services.models import Authorization, Service


class ServiceOrderingFilter(django_filters.OrderingFilter):
    """`start` or `-start`; the id breaks ties so pages never repeat or skip a service."""

    def filter(self, qs: QuerySet[Service], value: list[str] | None) -> QuerySet[Service]:
        if not value:
            return qs
        ordered = super().filter(qs, value)
        return ordered.order_by(*ordered.query.order_by, "-id" if value[0].startswith("-") else "id")


class ServiceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Service.Status.choices)
    program = IdFilter(field_name="program_id")
    client = IdFilter(field_name="client_id")
    clinician = IdFilter(field_name="clinician_id")
    procedure = IdFilter(field_name="procedure_id")
    # A service has a failure reason at most once (unique service + rule), so the join adds no duplicates.
    failure_reason = django_filters.CharFilter(field_name="failures__rule__code", max_length=40)
    dos_from = django_filters.DateFilter(field_name="date_of_service", lookup_expr="gte")
    dos_to = django_filters.DateFilter(field_name="date_of_service", lookup_expr="lte")
    ordering = ServiceOrderingFilter(fields=(("start", "start"),))

    class Meta:
        model = Service
        fields = ["status", "program", "client", "clinician", "procedure", "failure_reason", "dos_from", "dos_to"]


class AuthorizationFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    procedure = IdFilter(field_name="procedure_id")
    status = django_filters.ChoiceFilter(choices=Authorization.Status.choices)

    class Meta:
        model = Authorization
        fields = ["client", "procedure", "status"]
