"""REST plumbing shared by every app's api.py: pagination, error shape, role permissions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import pagination, permissions
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django validation errors as 400 with the field named."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    elif isinstance(exc, IntegrityError):
        # A database constraint caught what validation missed: still the client's input, never a 500.
        exc = ValidationError(detail={"non_field_errors": ["The record conflicts with existing data."]})
    return drf_exception_handler(exc, context)


class IsSystemAdmin(permissions.BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_system_admin)


class ReferenceDataPermission(permissions.BasePermission):
    """Everyone signed in reads reference data; county billing and system admins write it."""

    def has_permission(self, request: Request, view: object) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or request.user.can_edit_reference_data
