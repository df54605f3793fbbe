"""REST API of the reports app (shared/API.md): the COSD Service Error Report and the attention counts.

`?format=csv` and `?format=xlsx` are DRF's format override: the CSV and Excel renderers below make
them select a file of the same rows, unpaginated, filtered the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from accounts.models import AccessLog
from common.access_log import record_access
from reports import exports, queries
from reports.filters import ServiceErrorFilter
from services.models import Service


class _FileRenderer(BaseRenderer):
    """Renders a list of report rows; the view names the columns in the renderer context."""

    charset = None
    render_style = "binary"

    def rows_and_columns(self, data: Any, renderer_context: Mapping[str, Any] | None) -> tuple[Any, exports.Columns]:
        columns = (renderer_context or {}).get("columns") or exports.SERVICE_ERROR_COLUMNS
        return data, columns


class CSVRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        rows, columns = self.rows_and_columns(data, renderer_context)
        return exports.to_csv(rows, columns)


class XLSXRenderer(_FileRenderer):
    media_type = exports.XLSX_TYPE
    format = "xlsx"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        rows, columns = self.rows_and_columns(data, renderer_context)
        return exports.to_xlsx(rows, columns, sheet="service-errors")


FILE_FORMATS = {"csv", "xlsx"}


class ServiceErrorSerializer(serializers.Serializer):
    service = serializers.IntegerField()
    program = serializers.IntegerField()
    program_code = serializers.CharField()
    client = serializers.IntegerField()
    client_name = serializers.CharField()
    date_of_service = serializers.DateField()
    procedure_code = serializers.CharField()
    clinician_name = serializers.CharField()
    failure_reasons = serializers.ListField(child=serializers.CharField())
    days_outstanding = serializers.IntegerField()
    correction_due = serializers.DateField()
    overdue = serializers.BooleanField()


@extend_schema(
    parameters=[
        OpenApiParameter(
            "format", str, enum=["json", "csv", "xlsx"], description="csv or xlsx: the same rows as a file"
        )
    ]
)
class ServiceErrorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """COSD Service Error Report: services in Show with a failure, oldest date of service first."""

    serializer_class = ServiceErrorSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ServiceErrorFilter
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer, XLSXRenderer]

    def get_queryset(self) -> QuerySet[Service]:
        return queries.service_error_rows(self.request.user)

    def _file_format(self) -> str | None:
        renderer = getattr(self.request, "accepted_renderer", None)
        fmt = getattr(renderer, "format", None)
        return fmt if fmt in FILE_FORMATS else None

    def get_renderer_context(self) -> dict[str, Any]:
        return {**super().get_renderer_context(), "columns": exports.SERVICE_ERROR_COLUMNS}

    def handle_exception(self, exc: Exception) -> Response:
        # A bad filter with ?format=csv still answers a readable JSON 400, not a broken file.
        if self._file_format():
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.filter_queryset(self.get_queryset())
        on = queries.today()
        fmt = self._file_format()
        if fmt and rows.count() > exports.EXPORT_MAX_ROWS:
            raise ValidationError({"format": [exports.TOO_MANY_ROWS.format(limit=exports.EXPORT_MAX_ROWS)]})
        filters = {key: value for key, value in request.query_params.items() if key not in {"page", "page_size"}}

        def log(records: list[Any]) -> None:
            # One row per request, with the clients the answer lists (from the rows already read).
            record_access(
                user=request.user,  # type: ignore[arg-type]
                action=AccessLog.Action.EXPORT_REPORT if fmt else AccessLog.Action.VIEW_REPORT,
                target="report:service-errors",
                filters=filters,
                client_ids=[record["client"] for record in records],
                request=request,
            )

        if fmt:
            rules = queries.rules_by_code()  # the file's reasons in staff wording beside the codes
            records = [queries.service_error_record(row, on=on, rules=rules) for row in rows.iterator(chunk_size=2000)]
            log(records)
            response = Response(records)
            filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
            filters = filterset.form.cleaned_data if filterset is not None and filterset.is_valid() else {}
            name = exports.report_export_name(
                user=request.user, report="service-errors", extension=fmt, on=on, filters=filters
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        page = self.paginate_queryset(rows)
        records = [queries.service_error_record(row, on=on) for row in (page if page is not None else rows)]
        log(records)
        data = self.get_serializer(records, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class AttentionProgramSerializer(serializers.Serializer):
    program = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    count = serializers.IntegerField()


class AttentionMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    count = serializers.IntegerField()


# One summary object, though the route is a collection's (the schema would otherwise show a list).
@extend_schema_serializer(many=False)
class AttentionSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_reason = serializers.DictField(child=serializers.IntegerField())
    by_program = AttentionProgramSerializer(many=True)
    by_month = AttentionMonthSerializer(many=True)


class ServicesNeedingAttentionViewSet(viewsets.ViewSet):
    """Failing services (in Show, with a current reason) by reason, program and month of service."""

    @extend_schema(responses=AttentionSerializer)
    def list(self, request: Request) -> Response:
        record_access(
            user=request.user,  # type: ignore[arg-type]
            action=AccessLog.Action.VIEW_REPORT,
            target="report:services-needing-attention",
            filters={},
            request=request,
        )
        return Response(queries.attention_counts(request.user).as_api())


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project router."""
    router.register("reports/service-errors", ServiceErrorViewSet, basename="report-service-errors-api")
    router.register(
        "reports/services-needing-attention",
        ServicesNeedingAttentionViewSet,
        basename="report-services-needing-attention-api",
    )
