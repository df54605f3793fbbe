"""Issue 9 item 3: a provider enrolls only clients of their agency, or a client their agency created
that is enrolled nowhere yet; another agency's client answers exactly as an id that does not exist."""

from __future__ import annotations

import pytest
from django.test import Client as PageClient

from clients.models import Client, Enrollment
from tests import factories
from tests.api.conftest import client_for
from tests.api.test_clients import NEW_CLIENT

pytestmark = pytest.mark.django_db

UNKNOWN = {"client": ["Unknown client."]}


def enroll(api, client_id: int, program_id: int, **extra):
    body = {"client": client_id, "program": program_id, "requested_date": "2026-01-05", **extra}
    return api.post("/api/enrollments/", body, format="json")


def missing_client_id() -> int:
    return (Client.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def test_a_client_just_created_through_the_api_is_enrolled_by_its_agency_only(world_a, world_b, as_a):
    created = as_a.post("/api/clients/", NEW_CLIENT, format="json").json()["id"]
    as_b = client_for(world_b.admin)

    refused = enroll(as_b, created, world_b.program.pk)
    assert refused.status_code == 400
    assert refused.json() == UNKNOWN
    assert not Enrollment.objects.filter(client_id=created).exists()
    assert as_b.get(f"/api/clients/{created}/").status_code == 404
    assert "Diaz" not in refused.content.decode()

    accepted = enroll(as_a, created, world_a.program.pk)
    assert accepted.status_code == 201, accepted.json()
    assert as_a.get(f"/api/clients/{created}/").json()["last_name"] == "Diaz"
    # Once enrolled it belongs to agency A: B still cannot enroll it.
    assert enroll(as_b, created, world_b.program.pk).json() == UNKNOWN


def test_an_unenrolled_client_nobody_of_the_agency_created_is_unknown(world_a, as_a):
    """Clients the county created (or the demo) have no creating agency: a provider cannot claim them."""
    orphan = factories.ClientFactory()
    response = enroll(as_a, orphan.pk, world_a.program.pk)
    assert response.status_code == 400
    assert response.json() == UNKNOWN
    assert not Enrollment.objects.filter(client=orphan).exists()


@pytest.mark.parametrize(
    "extra",
    [{}, {"requested_date": "not a date"}, {"status": "enrolled"}, {"status": "discharged"}, {"program": 0}],
)
def test_another_agencys_client_answers_as_a_missing_id_whatever_else_is_sent(world_a, world_b, as_a, extra):
    """No oracle: the same status and body for B's client as for an id that does not exist, even when
    another field is also wrong (a different answer would tell that the id exists)."""
    other_agency = enroll(as_a, world_b.client.pk, world_a.program.pk, **extra)
    missing = enroll(as_a, missing_client_id(), world_a.program.pk, **extra)
    assert other_agency.status_code == missing.status_code == 400
    assert other_agency.json() == missing.json()
    assert other_agency.json()["client"] == ["Unknown client."]
    assert Enrollment.objects.filter(client=world_b.client).count() == 1


def test_a_provider_created_client_of_another_agency_is_unknown_to_the_county_path_too(world_a, world_b):
    """A client B created and nobody enrolled: A's provider cannot enroll it; a system admin can."""
    as_b = client_for(world_b.admin)
    created = as_b.post("/api/clients/", NEW_CLIENT, format="json").json()["id"]
    assert enroll(client_for(world_a.admin), created, world_a.program.pk).json() == UNKNOWN
    admin = factories.SystemAdminFactory()
    assert enroll(client_for(admin), created, world_a.program.pk).status_code == 201


def test_the_enrollment_page_of_another_agencys_client_is_404_and_creates_nothing(world_a, world_b):
    b_new = client_for(world_b.admin).post("/api/clients/", NEW_CLIENT, format="json").json()["id"]
    browser = PageClient()
    browser.force_login(world_a.admin)
    for client_id in (world_b.client.pk, b_new):
        url = f"/clients/{client_id}/enrollments/add/"
        assert browser.get(url).status_code == 404
        posted = browser.post(url, {"program": world_a.program.pk, "requested_date": "2026-01-05"})
        assert posted.status_code == 404
        assert "Diaz" not in posted.content.decode()
        assert world_b.client.last_name not in posted.content.decode()
    assert not Enrollment.objects.filter(client_id=b_new).exists()
    assert Enrollment.objects.filter(client=world_b.client).count() == 1


def test_the_new_client_page_enrolls_the_client_it_creates(world_a):
    browser = PageClient()
    browser.force_login(world_a.admin)
    response = browser.post(
        "/clients/add/",
        {
            "first_name": "Nuevo",
            "last_name": "Cliente",
            "date_of_birth": "1991-02-03",
            "program": world_a.program.pk,
            "requested_date": "2026-01-05",
        },
    )
    assert response.status_code == 302
    client = Client.objects.get(last_name="Cliente")
    assert client.created_by_agency_id == world_a.agency.pk
    assert Enrollment.objects.get(client=client).program == world_a.program


def test_the_duplicate_check_shows_nothing_of_another_agencys_client(world_a, world_b):
    browser = PageClient()
    browser.force_login(world_a.admin)
    other = world_b.client
    response = browser.post(
        "/clients/add/",
        {
            "first_name": other.first_name,
            "last_name": other.last_name,
            "date_of_birth": other.date_of_birth.isoformat(),
            "program": world_a.program.pk,
            "requested_date": "2026-01-05",
        },
    )
    page = response.content.decode()
    assert "on file at another agency" in page
    assert f"/clients/{other.pk}/" not in page
    assert f"client {other.pk}," not in page
    assert not Client.objects.filter(last_name=other.last_name).exclude(pk=other.pk).exists()
