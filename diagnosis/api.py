"""REST API of the diagnosis app (shared/API.md): `/api/diagnoses/` with nested codes."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import BaseRouter

from clients.models import Client, Program
from clients.selectors import clients_for_user, programs_for_user
from common import bounds
from common.rest import ClientRecordPermission
from common.viewsets import (
    ClientReadLogMixin,
    IdFilter,
    JSONOnlyMixin,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
)
from diagnosis import actions, selectors
from diagnosis.models import DiagnosisDocument


class DiagnosisCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=8)
    billing_order = serializers.IntegerField(min_value=1, max_value=bounds.PRIORITY_MAX)


@extend_schema_field(DiagnosisCodeSerializer(many=True))
class DiagnosisCodesField(serializers.Field):
    """`[{"code", "billing_order"}, ...]` in; the codes as a list in billing order to the action."""

    default_error_messages = {
        "not_a_list": "Give the codes as a list of objects, each with a code and a billing_order.",
        "order_repeated": "Each code needs its own billing order.",
    }

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list):
            self.fail("not_a_list")
        rows = DiagnosisCodeSerializer(data=data, many=True)
        if not rows.is_valid():
            raise serializers.ValidationError(rows.errors)
        items = sorted(rows.validated_data, key=lambda row: row["billing_order"])
        if len({row["billing_order"] for row in items}) != len(items):
            self.fail("order_repeated")
        return [row["code"] for row in items]

    def to_representation(self, value: Any) -> list[dict[str, Any]]:
        return [{"code": code.code, "billing_order": code.billing_order} for code in value.all()]


class DiagnosisSerializer(StrictModelSerializer):
    client = ScopedPrimaryKeyRelatedField(queryset=Client.objects.all(), scope=clients_for_user)
    program = ScopedPrimaryKeyRelatedField(queryset=Program.objects.all(), scope=programs_for_user)
    codes = DiagnosisCodesField()

    class Meta:
        model = DiagnosisDocument
        fields = ["id", "client", "program", "effective_date", "end_date", "signed", "signed_at", "codes"]
        read_only_fields = ["signed_at"]


class DiagnosisFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    program = IdFilter(field_name="program_id")

    class Meta:
        model = DiagnosisDocument
        fields = ["client", "program", "signed"]


class DiagnosisViewSet(
    ClientReadLogMixin, JSONOnlyMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """`signed: true` signs as the requesting user; `codes` on update replaces every code."""

    serializer_class = DiagnosisSerializer
    permission_classes = [ClientRecordPermission]
    filterset_class = DiagnosisFilter

    def get_queryset(self) -> Any:
        return selectors.diagnoses_for_user(self.request.user).order_by(
            "client_id", "program_id", "effective_date", "id"
        )

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.create_diagnosis(user=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        fields = dict(serializer.validated_data)  # type: ignore[arg-type]
        client = fields.pop("client", None)
        if client is not None and client.pk != serializer.instance.client_id:  # type: ignore[union-attr]
            raise serializers.ValidationError({"client": ["A diagnosis cannot move to another client."]})
        serializer.instance = actions.update_diagnosis(
            user=self.request.user,  # type: ignore[arg-type]
            document=serializer.instance,  # type: ignore[arg-type]  # set on update
            **fields,
        )


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project router."""
    router.register("diagnoses", DiagnosisViewSet, basename="diagnosis")
