"""Domain bounds on the pages (issue 9): the forms name the same constants as the models and the API,
and an out-of-bounds value is an error on its field, never a saved row or a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from tests import factories
from tests.pages.test_client_pages import _new_client_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("minutes", ["2147483647", "20000000", "44641"])
def test_the_poison_duration_is_an_error_on_the_correction_form(provider_client, program, enrolled_client, minutes):
    service = factories.billable_service(program=program, client=enrolled_client)
    data = {
        "procedure": service.procedure_id,
        "location": service.location_id,
        "mode_of_delivery": service.mode_of_delivery,
        "start": timezone.localtime(service.start).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": minutes,
        "note_signed": "on",
    }
    response = provider_client.post(reverse("service-correct", kwargs={"pk": service.pk}), data)
    assert response.status_code == 200
    assert response.context["form"].errors["duration_minutes"]
    service.refresh_from_db()
    assert service.duration_minutes == 60


@pytest.mark.parametrize(
    ("field", "value"),
    [("date_of_birth", "1899-12-31"), ("requested_date", "1899-12-31"), ("requested_date", "2100-01-01")],
)
def test_a_date_out_of_bounds_is_an_error_on_the_new_client_form(provider_client, program, field, value):
    response = provider_client.post(reverse("client-add"), _new_client_data(program, **{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Client.objects.filter(last_name="Reyes").exists()
