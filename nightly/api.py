"""REST API of the nightly app (shared/API.md): `/api/nightly-runs/`, `/api/services/{id}/overrides/`,
`/api/checks/` (tonight's verdict) and `/api/services/` itself, whose rows carry `check`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from accounts.rest import Conflict
from accounts.scope import scope_queryset
from clients.selectors import clients_for_user
from nightly import actions, selectors, verdict
from nightly.models import FailureOverride, NightlyRun
from services.api import ServiceSerializer, ServiceViewSet
from services.models import Service


class NightlyRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = NightlyRun
        fields = [
            "id",
            "as_of",
            "status",
            "started_at",
            "finished_at",
            "services_checked",
            "services_completed",
            "services_failed",
            "failures_by_rule",
            "dry_run",
            "chunks_total",
            "chunks_done",
            "duration_seconds",
            "created_at",
        ]
        read_only_fields = fields


class StartRunSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False)

    def validate_as_of(self, value: Any) -> Any:
        # A run date in the future would judge timely filing and limits against days not yet lived.
        if value > timezone.localdate():
            raise serializers.ValidationError("The run date cannot be in the future.")
        return value


class NightlyRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every signed-in user reads runs; county billing and system admins start one (202, 409 when busy)."""

    serializer_class = NightlyRunSerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    def get_queryset(self) -> Any:
        return selectors.nightly_runs()

    def get_serializer_class(self) -> Any:
        return StartRunSerializer if self.action == "create" else NightlyRunSerializer

    @extend_schema(request=StartRunSerializer, responses={202: NightlyRunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not actions.can_run_nightly(request.user):
            raise PermissionDenied("Only county billing and system admins start the nightly run.")
        # An empty body is DRF's {}; anything but a JSON object (`""`, `[]`) is a 400.
        form = StartRunSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        as_of = form.validated_data.get("as_of") or timezone.localdate()
        try:
            run = actions.start_nightly_run(user=request.user, as_of=as_of)
        except actions.RunAlreadyActive as exc:
            raise Conflict(detail=str(exc)) from exc
        return Response(NightlyRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class FailureOverrideSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="rule.code", read_only=True)

    class Meta:
        model = FailureOverride
        fields = ["id", "service", "code", "reason", "created_by", "created_at"]
        read_only_fields = fields


class OverrideInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    reason = serializers.CharField(max_length=2000)


@extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The service's id.")])
class ServiceOverrideViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A service's overrides: read by whoever sees the service; written by county billing and system admins."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]
    pagination_class = None

    def get_serializer_class(self) -> Any:
        return OverrideInputSerializer if self.action == "create" else FailureOverrideSerializer

    def get_service(self) -> Service:
        # DRF's get_object_or_404: a malformed id is a 404 like an unknown one.
        return get_object_or_404(scope_queryset(Service.objects.all(), self.request.user), pk=self.kwargs["id"])

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a service id
            return FailureOverride.objects.none()
        return selectors.overrides_of_service(self.get_service())

    @extend_schema(request=OverrideInputSerializer, responses={201: FailureOverrideSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = self.get_service()
        if not actions.can_run_nightly(request.user):
            raise PermissionDenied("Only county billing and system admins override failure reasons.")
        form = OverrideInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        override = actions.override_failure(
            user=request.user, service=service, code=form.validated_data["code"], reason=form.validated_data["reason"]
        )
        return Response(FailureOverrideSerializer(override).data, status=status.HTTP_201_CREATED)


# --- tonight's verdict ----------------------------------------------------------------------------


class CheckReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    hint = serializers.CharField()


class CheckResultSerializer(serializers.Serializer):
    """One service's verdict (API.md, "Tonight's verdict"); units/rate/charge only when it would complete."""

    service = serializers.IntegerField()
    would_complete = serializers.BooleanField()
    reasons = CheckReasonSerializer(many=True)
    units = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    rate = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    charge = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class ChecksResponseSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    results = CheckResultSerializer(many=True)


# Ids are bigint: a larger number is a 400 naming the field, never a database error.
MAX_ID = 2**63 - 1


class CheckInputSerializer(serializers.Serializer):
    client = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    services = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=verdict.MAX_SERVICES
    )
    as_of = serializers.DateField(required=False)

    def validate_as_of(self, value: Any) -> Any:
        # A check answers what a run on that date would decide, and a run is never dated in the future.
        if value > timezone.localdate():
            raise serializers.ValidationError("The check date cannot be in the future.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("client" in attrs) == ("services" in attrs):
            raise serializers.ValidationError({"client": ["Give either a client or a list of services."]})
        return attrs


class CheckViewSet(viewsets.GenericViewSet):
    """`POST /api/checks/`: tonight's verdict now, for a client's Show services or listed services.

    Nothing is written (`nightly.verdict`). Scope as everywhere: a client or a listed service the
    user may not see answers 404 (an unknown id too: the answer never tells them apart).
    """

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]
    serializer_class = CheckInputSerializer
    pagination_class = None

    @extend_schema(request=CheckInputSerializer, responses={200: ChecksResponseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = CheckInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        as_of = form.validated_data.get("as_of") or timezone.localdate()
        if "client" in form.validated_data:
            client = get_object_or_404(clients_for_user(request.user), pk=form.validated_data["client"])
            verdicts = verdict.check_client(client_id=client.pk, as_of=as_of)
        else:
            ids = set(form.validated_data["services"])
            visible = set(scope_queryset(Service.objects.filter(pk__in=ids), request.user).values_list("pk", flat=True))
            if visible != ids:
                raise NotFound("No service matches one of the given ids.")
            verdicts = verdict.check_services(service_ids=ids, as_of=as_of)
        results = [verdicts[pk].as_api() for pk in sorted(verdicts)]
        return Response(ChecksResponseSerializer({"as_of": as_of, "results": results}).data)


class CheckedServiceSerializer(ServiceSerializer):
    check = serializers.SerializerMethodField()

    class Meta(ServiceSerializer.Meta):
        fields = [*ServiceSerializer.Meta.fields, "check"]
        read_only_fields = [*ServiceSerializer.Meta.read_only_fields, "check"]

    @extend_schema_field(CheckResultSerializer(allow_null=True))
    def get_check(self, service: Service) -> dict[str, Any] | None:
        verdicts = self.context.get("verdicts")
        if verdicts is None:  # one service (read, create, correct): its own check
            verdicts = verdict.check_services(service_ids=[service.pk], as_of=timezone.localdate())
        found = verdicts.get(service.pk)
        return CheckResultSerializer(found.as_api()).data if found else None


class CheckedServiceViewSet(ServiceViewSet):
    """`/api/services/` with each service's `check` (tonight's verdict as of today).

    It lives here, a layer above services, because the verdict is the engine's. A list is checked
    in one engine call for the whole page (`nightly.verdict.check_services`), never per row.
    """

    serializer_class = CheckedServiceSerializer

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("many") and args:
            services = list(args[0])
            context = self.get_serializer_context()
            context["verdicts"] = verdict.check_services(
                service_ids=[service.pk for service in services], as_of=timezone.localdate()
            )
            kwargs["context"] = context
            args = (services, *args[1:])
        return super().get_serializer(*args, **kwargs)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project router."""
    router.register("nightly-runs", NightlyRunViewSet, basename="nightly-run")
    # Any id-shaped text reaches the view (a malformed one is a JSON 404); `{id}` as API.md writes it.
    router.register(r"services/(?P<id>[^/]+)/overrides", ServiceOverrideViewSet, basename="service-override")
    router.register("checks", CheckViewSet, basename="check")
    # `/api/services/` with `check`: the same route and basename as services.api registered, served by
    # the subclass above (the verdict sits a layer above services, so services cannot add it itself).
    router.registry[:] = [entry for entry in router.registry if entry[0] != "services"]
    router.register("services", CheckedServiceViewSet, basename="service")
