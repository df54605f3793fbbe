"""Reads of client records, scoped through `common.scope` (the one scope helper)."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from clients.crypto import ssn_digest
from clients.models import Agency, Client, Enrollment, Location, Program, Staff
from common.scope import clients_of_agency, scope_queryset


def clients_for_user(user: object) -> QuerySet[Client]:
    return scope_queryset(Client.objects.all(), user)


def enrollable_clients_for_user(user: object) -> QuerySet[Client]:
    """The clients `user` may enroll in a program: those in their scope, and those their agency
    created that are enrolled nowhere yet (a new client's first enrollment, API or page).

    Decision (issue 9): "just created" is recognised by `Client.created_by_agency` and the absence of
    any enrollment, not by time: a provider who creates a client through the API and enrolls it in
    a second call can, another agency's provider cannot, whatever the id. County billing and system
    admins see every client. Anything else is "Unknown client.", the answer for an id that does not
    exist, so ids reveal nothing.
    """
    clients = Client.objects.all()
    if not getattr(user, "is_authenticated", False):
        return clients.none()
    if user.sees_all_agencies:  # type: ignore[attr-defined]
        return clients
    agency_id = user.agency_id  # type: ignore[attr-defined]
    if agency_id is None:
        return clients.none()
    enrolled_anywhere = Exists(Enrollment.objects.filter(client_id=OuterRef("pk")))
    return clients.filter(
        Q(pk__in=clients_of_agency(Client, agency_id)) | (Q(created_by_agency_id=agency_id) & ~enrolled_anywhere)
    )


def enrollments_for_user(user: object) -> QuerySet[Enrollment]:
    return scope_queryset(Enrollment.objects.select_related("client", "program"), user)


def programs_for_user(user: object) -> QuerySet[Program]:
    return scope_queryset(Program.objects.select_related("agency"), user)


def staff_for_user(user: object) -> QuerySet[Staff]:
    return scope_queryset(Staff.objects.select_related("agency"), user)


def agencies() -> QuerySet[Agency]:
    return Agency.objects.all()


def locations() -> QuerySet[Location]:
    return Location.objects.all()


def possible_duplicate_clients(
    *, first_name: str, last_name: str, date_of_birth: dt.date, ssn: str = "", user: object | None = None
) -> QuerySet[Client]:
    """Clients with the same first and last name (any case) and date of birth, or the same SSN.

    Pass `user` to keep the answer inside that user's agency scope (a page must not show another
    agency's client); without it the whole county is searched (county-wide checks, commands).
    """
    match = Q(first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), date_of_birth=date_of_birth)
    digits = "".join(ch for ch in ssn if ch.isdigit())
    if digits:
        match |= Q(ssn_digest=ssn_digest(digits))
    found = Client.objects.filter(match)
    return scope_queryset(found, user) if user is not None else found


def get_client_for_user(user: object, pk: int) -> Client:
    """The client if the user may see it, else 404 (another agency's client does not exist for them)."""
    return get_object_or_404(clients_for_user(user), pk=pk)


def search_clients(user: object, query: str) -> QuerySet[Client]:
    """Clients in scope whose id is `query`, or whose last and/or first name start with its words."""
    qs = clients_for_user(user)
    query = query.strip()
    if not query:
        return qs
    if query.isdigit():
        return qs.filter(pk=int(query))
    words = [w for w in re.split(r"[\s,]+", query) if w]
    for word in words:
        qs = qs.filter(Q(last_name__istartswith=word) | Q(first_name__istartswith=word))
    return qs


def scoped_enrollment(user: object, client: Client, pk: int) -> Enrollment:
    return get_object_or_404(scope_queryset(Enrollment.objects.filter(client=client), user), pk=pk)
