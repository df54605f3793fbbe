"""REST API of the coverage app (shared/API.md): payers (reference data) and client coverage."""

from __future__ import annotations

from typing import Any

import django_filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import BaseRouter

from accounts.rest import ClientRecordPermission
from accounts.viewsets import (
    IdFilter,
    JSONOnlyMixin,
    ReferenceDataViewSet,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
)
from clients.models import Client
from clients.selectors import clients_for_user
from coverage import actions, selectors
from coverage.models import Coverage, Payer


class PayerSerializer(StrictModelSerializer):
    class Meta:
        model = Payer
        fields = ["id", "name", "payer_type", "payer_id", "timely_filing_months"]


class PayerViewSet(ReferenceDataViewSet):
    serializer_class = PayerSerializer
    queryset = Payer.objects.order_by("name", "id")


class CoverageSerializer(StrictModelSerializer):
    client = ScopedPrimaryKeyRelatedField(queryset=Client.objects.all(), scope=clients_for_user)
    payer = ScopedPrimaryKeyRelatedField(queryset=Payer.objects.all())

    class Meta:
        model = Coverage
        fields = ["id", "client", "payer", "priority", "start_date", "end_date", "insured_id", "subscriber_is_client"]


class CoverageFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    payer = IdFilter(field_name="payer_id")

    class Meta:
        model = Coverage
        fields = ["client", "payer"]


class CoverageViewSet(JSONOnlyMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CoverageSerializer
    permission_classes = [ClientRecordPermission]
    filterset_class = CoverageFilter

    def get_queryset(self) -> Any:
        return selectors.coverages_for_user(self.request.user).order_by("client_id", "priority", "start_date", "id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.create_coverage(user=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.update_coverage(
            user=self.request.user,  # type: ignore[arg-type]
            coverage=serializer.instance,  # type: ignore[arg-type]  # set on update
            **serializer.validated_data,  # type: ignore[arg-type]
        )


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project router."""
    router.register("payers", PayerViewSet, basename="payer")
    router.register("coverages", CoverageViewSet, basename="coverage")
