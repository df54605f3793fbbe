"""Reads for the client record page: everything on one screen in a fixed number of queries.

The sections a user sees are scoped record by record: a provider admin sees the enrollments,
diagnoses and services of their own agency only (a client can be served by two agencies), while
coverage and authorizations belong to the client as a whole (CLIENT_PATH).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.scope import scope_queryset
from clients.models import Agency, Client, Enrollment, Program
from coverage.models import Coverage
from diagnosis.icd10 import describe
from diagnosis.models import DiagnosisCode, DiagnosisDocument
from services.models import Authorization, Service

# The client record lists the most recent services; older ones are in the Services list filtered by client.
RECORD_SERVICES_LIMIT = 100

STATE_RE = re.compile(r"^[A-Za-z]{2}$")
ZIP_RE = re.compile(r"^\d{5}(?:-?\d{4})?$")
# "123 Main St, San Diego, CA 92101" typed on the street line: a state and zip at the end, or
# two commas (street, city, state).
ONE_LINE_RE = re.compile(r"(\b[A-Za-z]{2}\s+\d{5}(?:-?\d{4})?\s*$)|(,.*,)")
HOMELESS = "HOMELESS"


@dataclass(frozen=True)
class AddressCheck:
    """The address as the ADDRESS_INCOMPLETE rule reads it, and what is wrong with it."""

    street: str
    city: str
    state: str
    zip: str
    homeless: bool
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems


def check_address(client: Client, agency: Agency | None) -> AddressCheck:
    """The checks of ADDRESS_INCOMPLETE (DOMAIN.md), in staff wording.

    HOMELESS on the street line is a valid street; the client's city, state and zip lines must still
    be filled and valid (staff usually enter the agency's, named in the hint when `agency` is given).
    """
    street = client.address_street.strip()
    homeless = street.upper() == HOMELESS
    city, state, zip_code = client.address_city.strip(), client.address_state.strip(), client.address_zip.strip()
    problems: list[str] = []
    for label, value in (("Street", street), ("City", city), ("State", state), ("Zip", zip_code)):
        if not value:
            problems.append(f"{label} is missing.")
    if state and not STATE_RE.match(state):
        problems.append("State must be a 2-letter code (e.g. CA).")
    if zip_code and not ZIP_RE.match(zip_code):
        problems.append("Zip must have 5 or 9 digits.")
    if street and not homeless and ONE_LINE_RE.search(street):
        problems.append("The whole address seems typed on the street line; put city, state and zip in their fields.")
    if homeless and problems and agency is not None and agency.address_city:
        problems.append(
            f"For a HOMELESS client enter the agency's city, state and zip ({agency.address_city}, "
            f"{agency.address_state} {agency.address_zip})."
        )
    if not client.billing_address:
        problems.append("The billing address box is not ticked.")
    return AddressCheck(street, city, state, zip_code, homeless, problems)


def _describe_codes(documents: list[DiagnosisDocument]) -> None:
    for document in documents:
        for code in document.codes.all():
            code.description = describe(code.code)  # type: ignore[attr-defined]


def _diagnoses_with_codes() -> QuerySet[DiagnosisDocument]:
    return DiagnosisDocument.objects.select_related("program", "signed_by").prefetch_related(
        Prefetch("codes", queryset=DiagnosisCode.objects.order_by("billing_order"))
    )


def diagnosis_row(pk: int) -> DiagnosisDocument:
    """One diagnosis as its row on the record shows it (after the caller checked its scope)."""
    document = _diagnoses_with_codes().get(pk=pk)
    _describe_codes([document])
    return document


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


def scoped_clients(user: User) -> QuerySet[Client]:
    return scope_queryset(Client.objects.all(), user)


def get_client_for_user(user: User, pk: int) -> Client:
    """The client if the user may see it, else 404 (another agency's client does not exist for them)."""
    return get_object_or_404(scoped_clients(user), pk=pk)


def search_clients(user: User, query: str) -> QuerySet[Client]:
    """Clients in scope whose id is `query`, or whose last and/or first name start with its words."""
    qs = scoped_clients(user)
    query = query.strip()
    if not query:
        return qs
    if query.isdigit():
        return qs.filter(pk=int(query))
    words = [w for w in re.split(r"[\s,]+", query) if w]
    for word in words:
        qs = qs.filter(Q(last_name__istartswith=word) | Q(first_name__istartswith=word))
    return qs


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
        scope_queryset(_diagnoses_with_codes().filter(client=client), user).order_by(
            "program__code", "-effective_date", "-id"
        )
    )
    _describe_codes(diagnoses)
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


def programs_for_user(user: User) -> QuerySet[Program]:
    return scope_queryset(Program.objects.select_related("agency"), user).order_by("code")


def scoped_enrollment(user: User, client: Client, pk: int) -> Enrollment:
    return get_object_or_404(scope_queryset(Enrollment.objects.filter(client=client), user), pk=pk)


def scoped_coverage(user: User, client: Client, pk: int) -> Coverage:
    return get_object_or_404(scope_queryset(Coverage.objects.filter(client=client), user), pk=pk)


def scoped_diagnosis(user: User, client: Client, pk: int) -> DiagnosisDocument:
    return get_object_or_404(scope_queryset(DiagnosisDocument.objects.filter(client=client), user), pk=pk)


def scoped_authorization(user: User, client: Client, pk: int) -> Authorization:
    return get_object_or_404(scope_queryset(Authorization.objects.filter(client=client), user), pk=pk)
