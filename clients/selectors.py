"""Reads of client records, scoped through `common.scope` (the one scope helper)."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from clients.crypto import ssn_digest
from clients.models import Agency, Client, Enrollment, Location, Program, Staff
from common.scope import scope_queryset


def clients_for_user(user: object) -> QuerySet[Client]:
    return scope_queryset(Client.objects.all(), user)


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
