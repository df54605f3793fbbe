"""Agency scope: the one place that decides which rows a user may see.

Every view, admin queryset and API viewset filters through `scope_queryset`. A model opts in by
naming how it reaches an agency:

* ``AGENCY_PATH``: a lookup to the owning agency (``"program__agency"`` for a service);
* ``CLIENT_PATH``: a lookup to the client (``"client"``), for records that belong to a client as a
  whole (coverage, authorizations). They are visible when the client has an enrollment, in any
  status, in a program of the user's agency.

County billing and system admins see every agency.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from clients.models import Client, Enrollment

M = TypeVar("M", bound=models.Model)


def clients_of_agency(agency_id: int) -> models.QuerySet[Enrollment, Any]:
    """Ids of the clients with an enrollment, in any status, in a program of the agency (a subquery)."""
    return Enrollment.objects.filter(program__agency_id=agency_id).values("client_id")


def scope_queryset(queryset: models.QuerySet[M], user: object) -> models.QuerySet[M]:
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.sees_all_agencies:  # type: ignore[attr-defined]
        return queryset
    agency_id = user.agency_id  # type: ignore[attr-defined]
    if agency_id is None:
        return queryset.none()
    model = queryset.model
    agency_path = getattr(model, "AGENCY_PATH", None)
    if agency_path is not None:
        return queryset.filter(**{f"{agency_path}_id": agency_id})
    client_path = getattr(model, "CLIENT_PATH", None)
    if client_path is not None:
        return queryset.filter(**{f"{client_path}__in": clients_of_agency(agency_id)})
    raise TypeError(f"{model.__name__} declares neither AGENCY_PATH nor CLIENT_PATH")


def client_in_scope(user: object, client_id: int) -> bool:
    return scope_queryset(Client.objects.filter(pk=client_id), user).exists()
