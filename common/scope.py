"""Agency scope: the one place that decides which rows a user may see.

Every view, admin queryset and API viewset filters through `scope_queryset`. A model opts in by
naming how it reaches an agency:

* ``AGENCY_PATH``: a lookup to the owning agency (``"program__agency"`` for a service);
* ``CLIENT_PATH``: a lookup to the client (``"client"``), for records that belong to a client as a
  whole (coverage, authorizations). They are visible when the client has an enrollment, in any
  status, in a program of the user's agency (the client model's ``AGENCY_THROUGH``, its enrollments).

County billing and system admins see every agency.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def _client_model(model: type[models.Model], client_path: str) -> type[models.Model]:
    # Declarations, not imports: scope sits below every app (DESIGN.md, "Layers").
    target = model
    for name in client_path.split("__"):
        field = target._meta.get_field(name)
        if field.related_model is None:
            break  # the client's own primary key
        target = field.related_model  # type: ignore[assignment]
    return target


def clients_of_agency(client_model: type[models.Model], agency_id: int) -> models.QuerySet[Any, Any]:
    """Ids of the clients with an enrollment, in any status, in a program of the agency (a subquery)."""
    relation = client_model._meta.get_field(client_model.AGENCY_THROUGH)  # type: ignore[attr-defined]
    through = relation.related_model
    return through._default_manager.filter(**{f"{through.AGENCY_PATH}_id": agency_id}).values(  # type: ignore[union-attr]
        f"{relation.field.name}_id"  # type: ignore[union-attr]
    )


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
        client_ids = clients_of_agency(_client_model(model, client_path), agency_id)
        return queryset.filter(**{f"{client_path}__in": client_ids})
    raise TypeError(f"{model.__name__} declares neither AGENCY_PATH nor CLIENT_PATH")
