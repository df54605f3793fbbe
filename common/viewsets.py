"""Base classes of every app's api.py: serializers and fields that refuse bad input with a 400,
viewsets that read through a scoped selector and write through an action.

Kept apart from common/rest.py, which settings.py names for pagination and the exception
handler and so must not import DRF's generic views (a circular import at start-up).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import django_filters
from django import forms
from django.db import models
from rest_framework import serializers, viewsets
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from common.access_log import record_access
from common.records import create_record, delete_record, update_record
from common.rest import ReferenceDataPermission


class IdFilter(django_filters.NumberFilter):
    """An integer id in the query string (a decimal or text is a 400 naming the filter)."""

    field_class = forms.IntegerField


def _reject_bad_text(value: str) -> None:
    # PostgreSQL cannot store lone surrogates (NUL is refused by DRF's own validator).
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise serializers.ValidationError("The text contains characters that are not valid Unicode.") from exc


class TextField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(_reject_bad_text)


class StrictModelSerializer(serializers.ModelSerializer):
    """A model serializer whose text fields refuse what the database cannot store (never a 500)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
    }


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id that must name a record the requesting user may see; anything else is "Unknown <model>".

    `scope` is a selector taking the user (e.g. `clients_for_user`); the plain `queryset` is what the
    schema is generated from.
    """

    def __init__(self, *, scope: Callable[[Any], models.QuerySet[Any]] | None = None, **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)
        name = self.queryset.model._meta.verbose_name if self.queryset is not None else "record"
        self.error_messages["does_not_exist"] = f"Unknown {name}."
        self.error_messages["incorrect_type"] = f"Give the {name} as an integer id."

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = super().get_queryset()
        request = self.context.get("request")
        if self.scope is not None and request is not None:
            return self.scope(request.user)
        return queryset

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not data.strip().isdigit():
            self.fail("incorrect_type", data_type="str")
        try:
            return self.get_queryset().get(pk=int(data))
        except (self.get_queryset().model.DoesNotExist, OverflowError):
            self.fail("does_not_exist", pk_value=data)


class JSONOnlyMixin:
    """Bodies are JSON only (API.md); an empty body on create or update is a 400, not an empty change."""

    parser_classes: Sequence[type[BaseParser]] = [JSONParser]
    # Any id-shaped text reaches the view, so a malformed id is DRF's JSON 404, never the HTML page.
    lookup_value_regex = "[^/]+"

    def check_permissions(self, request: Request) -> None:
        # A method the route lacks (DELETE of a client, TRACE) is a 405 to everyone, before the role
        # check: a 403 would suggest that another role could.
        if request.method not in self.allowed_methods:  # type: ignore[attr-defined]
            raise MethodNotAllowed(str(request.method))
        super().check_permissions(request)  # type: ignore[misc]

    def _require_body(self, request: Request) -> None:
        if not request.data:
            raise ValidationError({"non_field_errors": ["The request body is empty: send a JSON object."]})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._require_body(request)
        return super().create(request, *args, **kwargs)  # type: ignore[misc]

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Out of scope is a 404 before anything is said about the body.
        self.get_object()  # type: ignore[attr-defined]
        self._require_body(request)
        return super().update(request, *args, **kwargs)  # type: ignore[misc]


class ClientReadLogMixin:
    """Every list and detail answer of a client-record route writes one access-log row (issue 9):
    action `api_read`, target `api:<route>` or `api:<route>:<id>`, the route's own filters as sent,
    the ids of the clients in the answer and the remote address.

    One INSERT per request: the client ids come from the records already loaded for the answer
    (`client_id_attribute`, a column of the row), never from a query per record. Put it first in
    the bases, before DRF's mixins. An answer that is not a 200 (404, 400) reads nothing and logs
    nothing.
    """

    client_id_attribute = "client_id"
    # Query parameters worth keeping besides the route's filterset's (ids and codes only: never
    # whatever else a caller puts in the query string).
    logged_parameters = frozenset({"page", "page_size", "ordering"})
    _records_read: Any = None
    _record_read: Any = None

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]
        self._records_read = page
        return page

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._records_read = None
        response = super().list(request, *args, **kwargs)  # type: ignore[misc]
        records = self._records_read
        if records is None:  # no pagination: the ids of the whole filtered list, in one query
            queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
            ids = queryset.values_list(self.client_id_attribute, flat=True)
        else:
            ids = [getattr(record, self.client_id_attribute) for record in records]
        self.log_read(request, target=f"api:{self.basename}", client_ids=ids)  # type: ignore[attr-defined]
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]
        record = self._record_read
        self.log_read(
            request,
            target=f"api:{self.basename}:{record.pk}",  # type: ignore[attr-defined]
            client_ids=[getattr(record, self.client_id_attribute)],
        )
        return response

    def get_object(self) -> Any:
        self._record_read = super().get_object()  # type: ignore[misc]
        return self._record_read

    def log_read(self, request: Request, *, target: str, client_ids: Any) -> None:
        filterset_class = getattr(self, "filterset_class", None)
        known = set(filterset_class.base_filters) if filterset_class is not None else set()
        known |= self.logged_parameters
        filters = {key: value for key, value in request.query_params.items() if key in known}
        record_access(
            user=request.user,  # type: ignore[arg-type]
            action="api_read",  # AccessLog.Action.API_READ
            target=target,
            filters=filters,
            client_ids=client_ids,
            request=request,
        )


class ReferenceDataViewSet(JSONOnlyMixin, viewsets.ModelViewSet):
    """Reference data: everyone signed in reads; county billing and system admins write through the
    plain record actions; delete only while nothing uses the record (else 409)."""

    permission_classes = [ReferenceDataPermission]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = create_record(
            user=self.request.user,  # type: ignore[arg-type]
            model=self.get_queryset().model,
            **serializer.validated_data,  # type: ignore[arg-type]
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = update_record(
            user=self.request.user,  # type: ignore[arg-type]
            instance=serializer.instance,  # type: ignore[type-var]  # set on update
            **serializer.validated_data,  # type: ignore[arg-type]
        )

    def perform_destroy(self, instance: models.Model) -> None:
        delete_record(user=self.request.user, instance=instance)  # type: ignore[arg-type]
