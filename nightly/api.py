"""REST API of the nightly app (shared/API.md): `/api/nightly-runs/` and `/api/services/{id}/overrides/`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from common import bounds
from common.rest import Conflict
from common.scope import scope_queryset
from nightly import actions, selectors
from nightly.models import FailureOverride, NightlyRun
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
            # Why a failed run failed: "cancelled", abandoned, or the chunks that failed (no client data).
            "error",
            "heartbeat_at",
        ]
        read_only_fields = fields


class StartRunSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, validators=[bounds.validate_run_date])

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

    @extend_schema(request=None, responses={200: NightlyRunSerializer, 409: OpenApiResponse(description="Finished.")})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """End a queued or running run as failed, reason "cancelled" (200); 409 once it has finished."""
        if not actions.can_run_nightly(request.user):
            raise PermissionDenied("Only county billing and system admins cancel the nightly run.")
        run = self.get_object()
        try:
            run = actions.cancel_nightly_run(user=request.user, run=run)
        except actions.RunFinished as exc:
            raise Conflict(detail=str(exc)) from exc
        return Response(NightlyRunSerializer(run).data)


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


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project router."""
    router.register("nightly-runs", NightlyRunViewSet, basename="nightly-run")
    # Any id-shaped text reaches the view (a malformed one is a JSON 404); `{id}` as API.md writes it.
    router.register(r"services/(?P<id>[^/]+)/overrides", ServiceOverrideViewSet, basename="service-override")
