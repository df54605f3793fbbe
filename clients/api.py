"""REST API of the clients app (shared/API.md): agencies, programs, staff, locations (reference data),
clients and enrollments. Reads go through the scoped selectors, writes through clients.actions."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.validators import RegexValidator
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import BaseRouter

from accounts.rest import ClientRecordPermission
from accounts.viewsets import (
    IdFilter,
    JSONOnlyMixin,
    ReferenceDataViewSet,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
    TextField,
)
from clients import actions, selectors
from clients.models import Agency, Client, Enrollment, Location, Program, Staff
from clients.validators import validate_npi

# --- reference data -------------------------------------------------------------------------------


class AgencySerializer(StrictModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "address_street", "address_city", "address_state", "address_zip", "npi", "tax_id"]


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


# The procedures a program offers are kept by the services app (Procedure.programs, which depends on
# clients, never the other way): the model is reached through the relation, not imported.
_Procedure: Any = Program._meta.get_field("procedures").related_model  # type: ignore[attr-defined]


class ProgramSerializer(StrictModelSerializer):
    agency = ScopedPrimaryKeyRelatedField(queryset=Agency.objects.all())
    procedures = ScopedPrimaryKeyRelatedField(
        queryset=_Procedure.objects.all(),
        many=True,
        required=False,
        help_text="Ids of the procedures the program offers; empty = any procedure.",
    )

    class Meta:
        model = Program
        fields = ["id", "agency", "name", "code", "program_type", "procedures"]


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
        return selectors.programs_for_user(self.request.user).prefetch_related("procedures").order_by("code", "id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.create_program(user=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.update_program(
            user=self.request.user,  # type: ignore[arg-type]
            program=serializer.instance,  # type: ignore[arg-type]  # set on update
            **serializer.validated_data,  # type: ignore[arg-type]
        )


class StaffSerializer(StrictModelSerializer):
    agency = ScopedPrimaryKeyRelatedField(queryset=Agency.objects.all())
    npi = TextField(
        required=False,
        allow_blank=True,
        max_length=10,
        validators=[validate_npi],  # the model field's validator: one place for the check digit
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
            "external_id",
        ]
        read_only_fields = ["ssn_last4"]


class ClientViewSet(JSONOnlyMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A new client belongs to no agency until its first enrollment (POST /api/enrollments/)."""

    serializer_class = ClientSerializer
    permission_classes = [ClientRecordPermission]

    def get_queryset(self) -> Any:
        return selectors.clients_for_user(self.request.user).order_by("last_name", "first_name", "id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.create_client(user=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = actions.update_client(
            user=self.request.user,  # type: ignore[arg-type]
            client=serializer.instance,  # type: ignore[arg-type]  # set on update
            **serializer.validated_data,  # type: ignore[arg-type]
        )


class EnrollmentSerializer(StrictModelSerializer):
    # Any client id is accepted here so a new client can get its first enrollment; the action
    # answers "Unknown client." for a client enrolled only in another agency.
    client = ScopedPrimaryKeyRelatedField(queryset=Client.objects.all())
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


class EnrollmentViewSet(JSONOnlyMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
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
