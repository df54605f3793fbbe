"""The Correction deadlines page: county billing keeps the phases; validated, audited, refused to others."""

from __future__ import annotations

import datetime as dt

import pghistory.models
import pytest
from django.urls import reverse

from reports.models import CorrectionDeadline
from tests.reports.conftest import signed_in

pytestmark = pytest.mark.django_db

PHASE = {
    "label": "Phase 9: 2027 first quarter",
    "month_from": "2027-01",
    "month_to": "2027-03",
    "due_date": "2027-06-30",
}


def test_provider_admin_may_not_open_or_change_the_deadlines(provider):
    client = signed_in(provider)
    existing = CorrectionDeadline.objects.first()
    assert existing is not None
    assert client.get(reverse("deadline-list")).status_code == 403
    assert client.post(reverse("deadline-add"), PHASE).status_code == 403
    assert client.post(reverse("deadline-edit", args=[existing.pk]), PHASE).status_code == 403
    assert client.post(reverse("deadline-delete", args=[existing.pk]), {"confirm": "on"}).status_code == 403
    assert not CorrectionDeadline.objects.filter(label=PHASE["label"]).exists()
    assert CorrectionDeadline.objects.filter(pk=existing.pk).exists()


def test_county_lists_adds_edits_and_deletes_a_phase_audited_with_its_name(county_user):
    client = signed_in(county_user)
    listed = client.get(reverse("deadline-list"))
    assert listed.status_code == 200
    assert "Phase 3: September 2024 errors" in listed.content.decode()

    response = client.post(reverse("deadline-add"), PHASE)
    assert response.status_code == 302
    phase = CorrectionDeadline.objects.get(label=PHASE["label"])
    assert (phase.month_from, phase.month_to, phase.due_date) == (
        dt.date(2027, 1, 1),
        dt.date(2027, 3, 1),
        dt.date(2027, 6, 30),
    )
    assert "06/30/2027" in client.get(reverse("deadline-list")).content.decode()

    client.post(reverse("deadline-edit", args=[phase.pk]), {**PHASE, "due_date": "2027-07-15"})
    phase.refresh_from_db()
    assert phase.due_date == dt.date(2027, 7, 15)

    # Deleting asks for a confirmation first.
    assert client.post(reverse("deadline-delete", args=[phase.pk]), {}).status_code == 400
    assert CorrectionDeadline.objects.filter(pk=phase.pk).exists()
    client.post(reverse("deadline-delete", args=[phase.pk]), {"confirm": "on"})
    assert not CorrectionDeadline.objects.filter(pk=phase.pk).exists()

    events = pghistory.models.Events.objects.filter(
        pgh_obj_model="reports.CorrectionDeadline", pgh_obj_id=phase.pk
    ).order_by("pgh_id")
    assert [event.pgh_label for event in events] == ["insert", "update", "delete"]
    assert {event.pgh_context["user"] for event in events} == {county_user.pk}


def test_system_admin_may_keep_the_deadlines_too(system_admin):
    assert signed_in(system_admin).post(reverse("deadline-add"), PHASE).status_code == 302


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"label": "  "}, "label", "This field is required."),
        ({"month_from": "2027-13"}, "month_from", "Enter a valid date"),
        ({"month_to": "2026-12"}, "month_to", "cannot be before the first month"),
        ({"due_date": "2027-03-31"}, "due_date", "must be after the last month of service (03/31/2027)"),
        # Overlaps the seeded Phase 3 (September 2024).
        ({"month_from": "2024-08", "month_to": "2024-09", "due_date": "2025-01-31"}, "month_from", "overlap Phase 3"),
    ],
)
def test_a_bad_phase_is_refused_on_the_field_it_names(county_user, change, field, message):
    count = CorrectionDeadline.objects.count()
    response = signed_in(county_user).post(reverse("deadline-add"), {**PHASE, **change})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert CorrectionDeadline.objects.count() == count


def test_editing_a_phase_over_its_own_months_is_no_overlap(county_user):
    phase = CorrectionDeadline.objects.order_by("month_from").first()
    assert phase is not None
    data = {
        "label": phase.label,
        "month_from": f"{phase.month_from:%Y-%m}",
        "month_to": f"{phase.month_to:%Y-%m}",
        "due_date": (phase.due_date + dt.timedelta(days=10)).isoformat(),
    }
    assert signed_in(county_user).post(reverse("deadline-edit", args=[phase.pk]), data).status_code == 302
    phase.refresh_from_db()
    assert phase.due_date == dt.date.fromisoformat(data["due_date"])
