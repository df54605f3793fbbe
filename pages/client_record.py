"""Reads for the client record page: everything on one screen in a fixed number of queries.

The sections a user sees are scoped record by record: a provider admin sees the enrollments,
diagnoses and services of their own agency only (a client can be served by two agencies), while
coverage and authorizations belong to the client as a whole (CLIENT_PATH).
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from clients.address import AddressCheck, check_address
from clients.models import Agency, Client, Enrollment
from clients.selectors import get_client_for_user
from common.scope import scope_queryset
from coverage.models import Coverage
from diagnosis.models import DiagnosisDocument
from diagnosis.selectors import describe_codes, diagnoses_with_codes
from services.models import Authorization, Service

# The client record lists the most recent services; older ones are in the Services list filtered by client.
RECORD_SERVICES_LIMIT = 100


@dataclass
class ClientRecord:
    client: Client
    enrollments: list[Enrollment]
    coverages: list[Coverage]
    diagnoses: list[DiagnosisDocument]
    authorizations: list[Authorization]
    services: list[Service]
    services_more: bool
    address: AddressCheck


def _record_agency(user: User, enrollments: list[Enrollment]) -> Agency | None:
    if user.agency_id is not None:
        return user.agency
    return enrollments[0].program.agency if enrollments else None


def client_record(user: User, pk: int) -> ClientRecord:
    """The client and every section of the record, scoped; a fixed number of queries."""
    client = get_client_for_user(user, pk)
    enrollments = list(
        scope_queryset(Enrollment.objects.filter(client=client), user)
        .select_related("program__agency")
        .order_by("-requested_date", "-id")
    )
    coverages = list(
        Coverage.objects.filter(client=client).select_related("payer").order_by("priority", "-start_date", "id")
    )
    diagnoses = list(
        scope_queryset(diagnoses_with_codes().filter(client=client), user).order_by(
            "program__code", "-effective_date", "-id"
        )
    )
    describe_codes(diagnoses)
    authorizations = list(
        Authorization.objects.filter(client=client).select_related("payer", "procedure").order_by("-start_date", "id")
    )
    services = list(
        scope_queryset(Service.objects.filter(client=client), user)
        .select_related("program", "procedure", "clinician", "location")
        .prefetch_related("failures__rule")
        .order_by("-date_of_service", "-start", "-id")[: RECORD_SERVICES_LIMIT + 1]
    )
    return ClientRecord(
        client=client,
        enrollments=enrollments,
        coverages=coverages,
        diagnoses=diagnoses,
        authorizations=authorizations,
        services=services[:RECORD_SERVICES_LIMIT],
        services_more=len(services) > RECORD_SERVICES_LIMIT,
        address=check_address(client, _record_agency(user, enrollments)),
    )
