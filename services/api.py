"""REST API of the services app (shared/API.md): procedures, procedure limits and rates (reference
data), authorizations, and services with their corrections and `mark-error`.

`/api/services/{id}/overrides/` is not here: the nightly app registers it (nightly/api.py).
"""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from clients.models import Client, Location, Program, Staff
from clients.selectors import clients_for_user, programs_for_user, staff_for_user
from common import bounds
from common.rest import ClientRecordPermission, Conflict
from common.viewsets import (
    ClientReadLogMixin,
    IdFilter,
    JSONOnlyMixin,
    ReferenceDataViewSet,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
    TextField,
)
from coverage.models import Payer
from services import actions, selectors
from services.filters import AuthorizationFilter, ServiceFilter
from services.models import Authorization, Procedure, ProcedureLimit, Rate, Service
from services.status import TransitionError

# --- reference data -------------------------------------------------------------------------------


class ProcedureSerializer(StrictModelSerializer):
    class Meta:
        model = Procedure
        fields = [
            "id",
            "code",
            "modifier",
            "name",
            "billable",
            "requires_note",
            "requires_authorization",
            "allowed_credentials",
            "unit",
            "transition_days",
        ]


class ProcedureFilter(django_filters.FilterSet):
    """Look a procedure's id up by its code and modifier (`?code=H0043&modifier=U6`)."""

    code = django_filters.CharFilter(field_name="code", lookup_expr="iexact", max_length=10)
    modifier = django_filters.CharFilter(field_name="modifier", lookup_expr="iexact", max_length=2)

    class Meta:
        model = Procedure
        fields = ["code", "modifier", "billable"]


class ProcedureViewSet(ReferenceDataViewSet):
    serializer_class = ProcedureSerializer
    filterset_class = ProcedureFilter

    def get_queryset(self) -> Any:
        return selectors.procedures().order_by("code", "modifier", "id")


class ProcedureLimitSerializer(StrictModelSerializer):
    procedure = ScopedPrimaryKeyRelatedField(queryset=Procedure.objects.all())
    prerequisite_procedure = ScopedPrimaryKeyRelatedField(
        queryset=Procedure.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = ProcedureLimit
        fields = [
            "id",
            "procedure",
            "max_count",
            "period",
            "distinct_dates",
            "max_minutes",
            "prerequisite_procedure",
            "prerequisite_months",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Named errors for what the procedure_limit_* check constraints hold.
        merged = {name: getattr(self.instance, name, None) for name in self.Meta.fields if name != "id"} | attrs
        if merged.get("prerequisite_procedure") is not None and not merged.get("prerequisite_months"):
            raise serializers.ValidationError({"prerequisite_months": ["Give the months the prerequisite needs."]})
        if merged.get("prerequisite_procedure") is None and merged.get("prerequisite_months") is not None:
            raise serializers.ValidationError({"prerequisite_procedure": ["Months need a prerequisite procedure."]})
        if not any(merged.get(name) for name in ("max_count", "max_minutes", "prerequisite_procedure")):
            raise serializers.ValidationError(
                {"max_count": ["A limit needs a count, minutes or a prerequisite procedure."]}
            )
        return attrs


class ProcedureLimitFilter(django_filters.FilterSet):
    procedure = IdFilter(field_name="procedure_id")

    class Meta:
        model = ProcedureLimit
        fields = ["procedure"]


class ProcedureLimitViewSet(ReferenceDataViewSet):
    serializer_class = ProcedureLimitSerializer
    filterset_class = ProcedureLimitFilter

    def get_queryset(self) -> Any:
        return selectors.procedure_limits().order_by("procedure_id", "id")


class RateSerializer(StrictModelSerializer):
    procedure = ScopedPrimaryKeyRelatedField(queryset=Procedure.objects.all())
    program = ScopedPrimaryKeyRelatedField(queryset=Program.objects.all(), allow_null=True, required=False)
    payer = ScopedPrimaryKeyRelatedField(queryset=Payer.objects.all(), allow_null=True, required=False)
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=bounds.MONEY_MIN, max_value=bounds.RATE_MAX
    )

    class Meta:
        model = Rate
        fields = ["id", "procedure", "program", "payer", "start_date", "end_date", "amount", "is_maximum"]


class RateFilter(django_filters.FilterSet):
    procedure = IdFilter(field_name="procedure_id")
    program = IdFilter(field_name="program_id")
    payer = IdFilter(field_name="payer_id")

    class Meta:
        model = Rate
        fields = ["procedure", "program", "payer"]


class RateViewSet(ReferenceDataViewSet):
    serializer_class = RateSerializer
    filterset_class = RateFilter

    def get_queryset(self) -> Any:
        return selectors.rates().order_by("procedure_id", "start_date", "id")


# --- authorizations -------------------------------------------------------------------------------


class AuthorizationSerializer(StrictModelSerializer):
    client = ScopedPrimaryKeyRelatedField(queryset=Client.objects.all(), scope=clients_for_user)
    payer = ScopedPrimaryKeyRelatedField(queryset=Payer.objects.all())
    procedure = ScopedPrimaryKeyRelatedField(queryset=Procedure.objects.all())

    class Meta:
        model = Authorization
        fields = [
            "id",
            "client",
            "payer",
            "procedure",
            "tar_number",
            "start_date",
            "end_date",
            "quantity",
            "status",
            "presumptive",
        ]
        # A presumptive authorization has no TAR number; the action says when one is missing. A new
        # presumptive authorization without a status is approved (services.actions.create_authorization).
        extra_kwargs = {"tar_number": {"required": False}, "status": {"required": False}}


class AuthorizationViewSet(
    ClientReadLogMixin, JSONOnlyMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = AuthorizationSerializer
    permission_classes = [ClientRecordPermission]
    filterset_class = AuthorizationFilter

    def get_queryset(self) -> Any:
        return selectors.authorizations_for_user(self.request.user).order_by("client_id", "start_date", "id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.create_authorization(user=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.update_authorization(
            user=self.request.user,  # type: ignore[arg-type]
            authorization=serializer.instance,  # type: ignore[arg-type]  # set on update
            **serializer.validated_data,  # type: ignore[arg-type]
        )


# --- services -------------------------------------------------------------------------------------


class FailureReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ServiceSerializer(StrictModelSerializer):
    client = ScopedPrimaryKeyRelatedField(queryset=Client.objects.all(), scope=clients_for_user)
    program = ScopedPrimaryKeyRelatedField(queryset=Program.objects.all(), scope=programs_for_user)
    procedure = ScopedPrimaryKeyRelatedField(queryset=Procedure.objects.all())
    clinician = ScopedPrimaryKeyRelatedField(queryset=Staff.objects.all(), scope=staff_for_user)
    location = ScopedPrimaryKeyRelatedField(queryset=Location.objects.all())
    # Text here: the X12 list is checked in one place, the action (services/validators.py).
    delay_reason_code = TextField(
        required=False,
        allow_blank=True,
        max_length=3,
        help_text="Blank or an X12 claim delay reason code: " + ", ".join(Service.DelayReason.values) + ".",
    )
    external_id = TextField(
        required=False, allow_null=True, allow_blank=True, max_length=64, help_text="Unique per agency."
    )
    failure_reasons = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "id",
            "client",
            "program",
            "procedure",
            "clinician",
            "location",
            "start",
            "date_of_service",
            "duration_minutes",
            "status",
            "mode_of_delivery",
            "note_signed",
            "do_not_complete",
            "delay_reason_code",
            "billed_amount",
            "external_id",
            "units",
            "rate",
            "charge",
            "billed_payer",
            "claimed",
            "failure_reasons",
            "last_validated_at",
        ]
        read_only_fields = [
            "date_of_service",
            "units",
            "rate",
            "charge",
            "billed_payer",
            "claimed",
            "last_validated_at",
        ]
        extra_kwargs = {
            "billed_amount": {"help_text": "What is billed under a maximum rate (e.g. the actual deposit)."},
        }

    @extend_schema_field(FailureReasonSerializer(many=True))
    def get_failure_reasons(self, service: Service) -> list[dict[str, str]]:
        # From the prefetched failures__rule: no query per row.
        failures = sorted(service.failures.all(), key=lambda failure: (failure.rule.position, failure.rule.code))
        return [{"code": failure.rule.code, "message": failure.rule.message} for failure in failures]


class ServiceViewSet(
    ClientReadLogMixin, JSONOnlyMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Services are never deleted: a mistaken service goes to Error (`mark-error`).

    An update is a correction (`services.actions.correct_service`): the client, program and
    clinician may be repeated unchanged but never changed; `status` moves through
    `set_service_status`. A claimed service, or a move the status table refuses, answers 409.
    """

    serializer_class = ServiceSerializer
    permission_classes = [ClientRecordPermission]
    filterset_class = ServiceFilter

    def get_queryset(self) -> Any:
        return selectors.services_for_user(self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.create_service(user=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        service: Service = serializer.instance  # type: ignore[assignment]
        changes = dict(serializer.validated_data)  # type: ignore[arg-type]
        given = {name: changes.pop(name).pk for name in actions.FIXED_FIELDS if name in changes}
        fixed = actions.fixed_field_errors(service, given)
        if fixed:
            raise serializers.ValidationError(fixed)
        status = changes.pop("status", None)
        user = self.request.user
        try:
            actions.correct_service_and_status(user=user, service=service, status=status, **changes)  # type: ignore[arg-type]
        except actions.ServiceLocked as exc:
            raise Conflict(detail=str(exc)) from exc
        except TransitionError as exc:
            raise Conflict(detail={"status": [str(exc)]}) from exc

    @extend_schema(request=None, responses=ServiceSerializer)
    @action(detail=True, methods=["post"], url_path="mark-error")
    def mark_error(self, request: Request, pk: str | None = None) -> Response:
        """Put the service in Error and discard its note; 409 once claimed."""
        service = self.get_object()
        try:
            actions.mark_service_error(user=request.user, service=service)  # type: ignore[arg-type]
        except actions.ServiceLocked as exc:
            raise Conflict(detail=str(exc)) from exc
        except TransitionError as exc:
            raise Conflict(detail={"status": [str(exc)]}) from exc
        return Response(self.get_serializer(service).data)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project router."""
    router.register("procedures", ProcedureViewSet, basename="procedure")
    router.register("procedure-limits", ProcedureLimitViewSet, basename="procedurelimit")
    router.register("rates", RateViewSet, basename="rate")
    router.register("authorizations", AuthorizationViewSet, basename="authorization")
    router.register("services", ServiceViewSet, basename="service")
