"""REST API of imports (shared/API.md "Imports"): upload a sheet, list and show imports, templates.

`POST /api/imports/` (multipart `kind`, `file`, optional `dry_run`, and `agency` for county billing)
answers 201 with the import when it was checked or committed, 400 with the same object and every
bad row when it was rejected (nothing written), and 202 while a large file waits for the worker
(poll `GET /api/imports/{id}/`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from clients.models import Agency
from imports import actions, selectors
from imports.models import Import
from imports.sheets import template_columns


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="1 = the first data row; null: the whole file")
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportSerializer(serializers.ModelSerializer):
    # DRF's metaclass moves declared fields off the class, so this does not hide Serializer.errors.
    errors = ImportErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Import
        fields = [
            "id",
            "kind",
            "status",
            "file_name",
            "rows",
            "created",
            "updated",
            "errors",
            "dry_run",
            "agency",
            "user",
            "progress",
            "verdicts",
            "created_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Import.Kind.choices)
    file = serializers.FileField(allow_empty_file=True)
    dry_run = serializers.BooleanField(default=False, required=False)
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, help_text="County billing: required"
    )


class ImportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    lookup_value_regex = "[^/]+"

    def check_permissions(self, request: Request) -> None:
        if request.method not in self.allowed_methods:
            raise MethodNotAllowed(str(request.method))
        super().check_permissions(request)

    def get_queryset(self) -> Any:
        return selectors.imports_for_user(self.request.user)

    def get_object(self) -> Any:
        if not str(self.kwargs.get("pk", "")).isdigit():
            from django.http import Http404

            raise Http404
        return super().get_object()

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportSerializer, 202: ImportSerializer, 400: ImportSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        agency = data.get("agency")
        # Read one byte past the limit: enough to refuse a larger file without holding it all.
        content = data["file"].read(settings.IMPORT_MAX_BYTES + 1)
        imp = actions.start_import(
            user=request.user,  # type: ignore[arg-type]
            agency=agency,
            kind=data["kind"],
            file_name=data["file"].name or "upload",
            data=content,
            dry_run=data["dry_run"],
        )
        answer = {
            Import.Status.REJECTED: status.HTTP_400_BAD_REQUEST,
            Import.Status.QUEUED: status.HTTP_202_ACCEPTED,
            Import.Status.RUNNING: status.HTTP_202_ACCEPTED,
        }.get(imp.status, status.HTTP_201_CREATED)  # type: ignore[call-overload]
        return Response(ImportSerializer(imp).data, status=answer)

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=Import.Kind.values, required=True)],
        responses={(200, "text/csv"): str},
    )
    @action(detail=False, methods=["get"])
    def template(self, request: Request) -> HttpResponse:
        """The header row of an import file of `kind` (services or clients), as CSV."""
        kind = request.query_params.get("kind", "")
        if kind not in Import.Kind.values:
            raise serializers.ValidationError({"kind": [f"Choose one of: {', '.join(Import.Kind.values)}."]})
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(template_columns(kind))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
        return response


def register(router: BaseRouter) -> None:
    router.register("imports", ImportViewSet, basename="import")
