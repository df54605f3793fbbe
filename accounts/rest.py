"""REST plumbing shared by every app's api.py: pagination, error shape, role permissions, and the
base classes that make every viewset read through a scoped selector and write through an action."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, pagination, permissions, status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.actions import RecordInUse

# The highest page a list serves: past it (a number beyond bigint) the page's offset itself would
# overflow PostgreSQL's OFFSET. A billion pages of 500 is far past any county's records.
MAX_PAGE = 1_000_000_000
PAGE_ERROR = f"Enter a whole page number from 1 to {MAX_PAGE:,}."


def page_number(raw: str | None) -> int:
    """The `?page=` of a list: 1 when absent or blank; raises ValueError (PAGE_ERROR) for anything but a whole
    number from 1 to MAX_PAGE (0, -1, 1.5, "abc", "²", a number beyond bigint)."""
    if not raw:
        return 1
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not raw.isascii() or not raw.isdecimal() or not 1 <= int(raw) <= MAX_PAGE:
        raise ValueError(PAGE_ERROR)
    return int(raw)


class PageNumberPagination(pagination.PageNumberPagination):
    """A malformed `?page=` is a 400 naming `page`; a well-formed one past the end stays DRF's 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        raw = request.query_params.get(self.page_query_param)
        if raw in self.last_page_strings:
            return paginator.num_pages
        try:
            return page_number(raw)
        except ValueError:
            raise ValidationError({self.page_query_param: [PAGE_ERROR]}) from None


class Conflict(exceptions.APIException):
    """The request is valid but the record's state refuses it (a claimed service, a used record)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record's current state does not allow this."
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django validation errors as 400 with the field named, and nesting too deep."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    elif isinstance(exc, IntegrityError):
        # A database constraint caught what validation missed: still the client's input, never a 500.
        exc = ValidationError(detail={"non_field_errors": ["The record conflicts with existing data."]})
    elif isinstance(exc, RecordInUse):
        exc = Conflict(detail=str(exc))
    elif isinstance(exc, RecursionError):
        # JSON nested deeper than Python's parser goes (`[[[[...`, on any route and any parser, the
        # token endpoint's included): malformed input like any other, not a 500.
        exc = ParseError("JSON parse error - the body is nested too deeply.")
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        # API.md: a body that is not JSON is a 400, whatever its content type claims.
        exc = ValidationError(detail={"non_field_errors": ["Send the body as JSON (Content-Type: application/json)."]})
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


class ClientRecordPermission(permissions.BasePermission):
    """Everyone signed in reads client records (scoped); provider admins and system admins write them.

    API.md gives county billing reads of everything and writes of reference data and nightly runs
    only, so its writes to client records answer 403.
    """

    def has_permission(self, request: Request, view: object) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.role != request.user.Role.COUNTY_BILLING


ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": True,
    "description": 'Validation errors: {"field": ["message", ...]}; other errors: {"detail": "message"}.',
}


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation may answer 400, 401, 403, 404 and 409 with
    the error shape of API.md, so clients (and schemathesis) know those answers are part of the contract."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, text in (
                ("400", "Invalid input"),
                ("401", "Not signed in"),
                ("403", "Not allowed for this role"),
                ("404", "Not found (or outside your agency)"),
                ("409", "Refused by the record's current state"),
            ):
                responses.setdefault(
                    code, {"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
                )
    return result
