"""The audit trail: database triggers record every write, bulk updates included, with the acting user."""

from __future__ import annotations

import pytest
from django.apps import apps

from accounts.audit import acting_as
from services.models import Service
from tests import factories

pytestmark = pytest.mark.django_db

ServiceEvent = apps.get_model("services", "ServiceEvent")


def test_bulk_update_writes_one_audit_row_per_service_with_the_acting_user() -> None:
    services = [factories.billable_service() for _ in range(3)]
    user = factories.CountyUserFactory()
    ids = [s.pk for s in services]
    with acting_as(user):
        changed = Service.objects.filter(pk__in=ids).update(note_signed=False)
    assert changed == 3
    events = ServiceEvent.objects.filter(pgh_obj__in=ids, pgh_label="update").select_related("pgh_context")
    assert sorted(e.pgh_obj_id for e in events) == sorted(ids)
    assert all(e.note_signed is False for e in events)
    assert {e.pgh_context.metadata["user"] for e in events} == {user.pk}


def test_bulk_update_outside_any_context_is_still_recorded() -> None:
    service = factories.billable_service()
    Service.objects.filter(pk=service.pk).update(duration_minutes=45)
    event = ServiceEvent.objects.get(pgh_obj=service.pk, pgh_label="update")
    assert event.duration_minutes == 45
    assert event.pgh_context is None


def test_insert_and_delete_are_recorded() -> None:
    location = factories.LocationFactory()
    pk = location.pk
    location.delete()
    LocationEvent = apps.get_model("clients", "LocationEvent")
    assert list(LocationEvent.objects.filter(pgh_obj_id=pk).values_list("pgh_label", flat=True).order_by("pgh_id")) == [
        "insert",
        "delete",
    ]


def test_client_audit_rows_never_hold_the_ssn() -> None:
    client = factories.ClientFactory()
    client.set_ssn("500-12-3456")
    client.save()
    ClientEvent = apps.get_model("clients", "ClientEvent")
    field_names = {f.name for f in ClientEvent._meta.get_fields()}
    assert "ssn_encrypted" not in field_names
    assert "ssn_digest" not in field_names
    assert ClientEvent.objects.filter(pgh_obj=client.pk, ssn_last4="3456").exists()
