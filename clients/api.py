"""REST API of the clients app (shared/API.md): agencies, programs, staff, locations (reference data),
clients and enrollments. Reads go through the scoped selectors, writes through clients.actions."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.validators import RegexValidator
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from clients import actions, selectors
from clients.models import Agency, Client, Enrollment, Location, Program, Staff
from common.rest import ClientRecordPermission
from common.viewsets import (
    ClientReadLogMixin,
    IdFilter,
    JSONOnlyMixin,
    ReferenceDataViewSet,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
    TextField,
)

# --- reference data -------------------------------------------------------------------------------


class AgencySerializer(StrictModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "address_city", "address_state", "address_zip"]


class AgencyViewSet(ReferenceDataViewSet):
    serializer_class = AgencySerializer
    queryset = Agency.objects.order_by("name", "id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.create_agency(user=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.update_agency(
            user=self.request.user,  # type: ignore[arg-type]
            agency=serializer.instance,  # type: ignore[arg-type]  # set on update
            **serializer.validated_data,  # type: ignore[arg-type]
        )


class ProgramSerializer(StrictModelSerializer):
    agency = ScopedPrimaryKeyRelatedField(queryset=Agency.objects.all())

    class Meta:
        model = Program
        fields = ["id", "agency", "name", "code", "program_type"]


class ProgramFilter(django_filters.FilterSet):
    agency = IdFilter(field_name="agency_id")
    program_type = django_filters.ChoiceFilter(choices=Program.ProgramType.choices)

    class Meta:
        model = Program
        fields = ["agency", "program_type"]


class ProgramViewSet(ReferenceDataViewSet):
    """A provider admin lists only the programs of their own agency (Program declares AGENCY_PATH)."""

    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter

    def get_queryset(self) -> Any:
        return selectors.programs_for_user(self.request.user).order_by("code", "id")


class StaffSerializer(StrictModelSerializer):
    agency = ScopedPrimaryKeyRelatedField(queryset=Agency.objects.all())
    npi = TextField(
        required=False,
        allow_blank=True,
        max_length=10,
        validators=[RegexValidator(r"^\d{10}$", "An NPI is 10 digits.")],
    )

    class Meta:
        model = Staff
        fields = ["id", "agency", "first_name", "last_name", "credential", "credential_expires", "npi"]


class StaffFilter(django_filters.FilterSet):
    agency = IdFilter(field_name="agency_id")
    credential = django_filters.ChoiceFilter(choices=Staff.Credential.choices)

    class Meta:
        model = Staff
        fields = ["agency", "credential"]


class StaffViewSet(ReferenceDataViewSet):
    serializer_class = StaffSerializer
    filterset_class = StaffFilter

    def get_queryset(self) -> Any:
        return selectors.staff_for_user(self.request.user).order_by("last_name", "first_name", "id")


class LocationSerializer(StrictModelSerializer):
    place_of_service = TextField(
        max_length=2,
        validators=[RegexValidator(r"^\d{2}$", "A place of service is a 2-digit code.")],
    )

    class Meta:
        model = Location
        fields = ["id", "name", "place_of_service"]


class LocationViewSet(ReferenceDataViewSet):
    serializer_class = LocationSerializer
    queryset = Location.objects.order_by("name", "id")


# --- client records -------------------------------------------------------------------------------


class ClientSerializer(StrictModelSerializer):
    """The SSN is write only: reads return `ssn_last4`; the number is never echoed, even in an error."""

    ssn = TextField(write_only=True, required=False, allow_blank=True, max_length=11)

    class Meta:
        model = Client
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "ssn",
            "ssn_last4",
            "address_street",
            "address_city",
            "address_state",
            "address_zip",
            "billing_address",
            "financial_info_complete",
        ]
        read_only_fields = ["ssn_last4"]


class ClientSearchSerializer(serializers.Serializer):
    q = TextField(max_length=100, allow_blank=True, help_text="Last name, first name (starts of words) or a client id")


class ClientViewSet(
    ClientReadLogMixin, JSONOnlyMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """A new client is in no agency's scope until its first enrollment (POST /api/enrollments/), which
    only the creating provider's agency may give it (clients.selectors.enrollable_clients_for_user)."""

    serializer_class = ClientSerializer
    permission_classes = [ClientRecordPermission]
    client_id_attribute = "pk"

    def get_queryset(self) -> Any:
        return selectors.clients_for_user(self.request.user).order_by("last_name", "first_name", "id")

    @extend_schema(
        request=ClientSearchSerializer,
        # Paginated like the lists (drf-spectacular pages list actions only, so it is spelled out).
        responses=inline_serializer(
            "PaginatedClientSearchList",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": ClientSerializer(many=True),
            },
        ),
        parameters=[
            OpenApiParameter("page", int, description="A page number within the results."),
            OpenApiParameter("page_size", int, description="Results per page (at most 500)."),
        ],
        description=(
            "Clients in your scope whose id is `q`, or whose last and/or first name start with its words. "
            "A POST so that a name never sits in a URL (server and proxy logs, history); pages are "
            "`?page=` on the URL with the same body."
        ),
    )
    @action(detail=False, methods=["post"], url_path="search", permission_classes=[IsAuthenticated])
    def search(self, request: Request) -> Response:
        """`POST /api/clients/search/` with `{"q": "..."}`: the client search of the pages, for the API.
        Written to the access log like a list (the query itself is not kept: it may be a name)."""
        query = ClientSearchSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        found = selectors.search_clients(request.user, query.validated_data["q"])  # type: ignore[arg-type]
        page = self.paginate_queryset(found.order_by("last_name", "first_name", "id"))
        data = self.get_serializer(page, many=True).data
        self.log_read(request, target="api:client-search", client_ids=[client.pk for client in page or []])
        return self.get_paginated_response(data)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.create_client(user=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.update_client(
            user=self.request.user,  # type: ignore[arg-type]
            client=serializer.instance,  # type: ignore[arg-type]  # set on update
            **serializer.validated_data,  # type: ignore[arg-type]
        )


class EnrollmentSerializer(StrictModelSerializer):
    # A client of the user's agency, or one their agency created and nobody enrolled yet (its first
    # enrollment); another agency's client is "Unknown client.", as an id that does not exist, before
    # any other field is looked at (the action checks again under a lock).
    client = ScopedPrimaryKeyRelatedField(queryset=Client.objects.all(), scope=selectors.enrollable_clients_for_user)
    program = ScopedPrimaryKeyRelatedField(queryset=Program.objects.all(), scope=selectors.programs_for_user)

    class Meta:
        model = Enrollment
        fields = ["id", "client", "program", "status", "requested_date", "enrolled_date", "discharged_date"]
        # The one-open-enrollment rule is checked by the action, which names the field.
        validators: list[Any] = []


class EnrollmentFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    program = IdFilter(field_name="program_id")
    status = django_filters.ChoiceFilter(choices=Enrollment.Status.choices)

    class Meta:
        model = Enrollment
        fields = ["client", "program", "status"]


class EnrollmentViewSet(
    ClientReadLogMixin, JSONOnlyMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """A status change (PATCH `status`) follows Enrollment.TRANSITIONS, dated by the matching date given."""

    serializer_class = EnrollmentSerializer
    permission_classes = [ClientRecordPermission]
    filterset_class = EnrollmentFilter

    def get_queryset(self) -> Any:
        return selectors.enrollments_for_user(self.request.user).order_by("client_id", "requested_date", "id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.create_enrollment(user=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        fields = dict(serializer.validated_data)  # type: ignore[arg-type]
        client = fields.pop("client", None)
        if client is not None and client.pk != serializer.instance.client_id:  # type: ignore[union-attr]
            raise serializers.ValidationError({"client": ["An enrollment cannot move to another client."]})
        serializer.instance = actions.update_enrollment(
            user=self.request.user,  # type: ignore[arg-type]
            enrollment=serializer.instance,  # type: ignore[arg-type]  # set on update
            **fields,
        )


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project router."""
    router.register("agencies", AgencyViewSet, basename="agency")
    router.register("programs", ProgramViewSet, basename="program")
    router.register("staff", StaffViewSet, basename="staff")
    router.register("locations", LocationViewSet, basename="location")
    router.register("clients", ClientViewSet, basename="client")
    router.register("enrollments", EnrollmentViewSet, basename="enrollment")
