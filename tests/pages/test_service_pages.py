from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from nightly.models import NightlyRun, Rule, ServiceFailure
from services.models import Service
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def service(program, enrolled_client):
    return factories.billable_service(program=program, client=enrolled_client)


def _fail(service: Service, *codes: str) -> None:
    run = NightlyRun.objects.create(as_of=dt.date(2026, 11, 1), status=NightlyRun.Status.SUCCEEDED)
    for code in codes:
        ServiceFailure.objects.create(service=service, rule=Rule.objects.get(code=code), run=run)


def _complete(service: Service, *, claimed: bool = False) -> None:
    Service.objects.filter(pk=service.pk).update(
        status=Service.Status.COMPLETE, units=Decimal(1), rate=Decimal(100), charge=Decimal(100), claimed=claimed
    )
    service.refresh_from_db()


def _correction(service: Service, **changes) -> dict:
    data = {
        "procedure": service.procedure_id,
        "location": service.location_id,
        "mode_of_delivery": service.mode_of_delivery,
        "start": timezone.localtime(service.start).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": service.duration_minutes,
        "note_signed": "on" if service.note_signed else "",
        "delay_reason_code": service.delay_reason_code,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.parametrize("name", ["service-detail", "service-correct", "service-mark-error"])
def test_another_agencys_service_answers_404(other_client, service, name):
    assert other_client.get(reverse(name, kwargs={"pk": service.pk})).status_code == 404


def test_posts_on_another_agencys_service_answer_404_and_change_nothing(other_client, service):
    corrected = other_client.post(reverse("service-correct", kwargs={"pk": service.pk}), _correction(service))
    errored = other_client.post(reverse("service-mark-error", kwargs={"pk": service.pk}), {"confirm": "on"})

    service.refresh_from_db()
    assert (corrected.status_code, errored.status_code) == (404, 404)
    assert service.status == Service.Status.SHOW


def test_service_detail_shows_each_reason_with_its_hint_and_where_to_fix_it(provider_client, service):
    _fail(service, "DX_NOT_SIGNED", "NOTE_NOT_SIGNED")

    body = provider_client.get(reverse("service-detail", kwargs={"pk": service.pk})).content.decode()

    dx = Rule.objects.get(code="DX_NOT_SIGNED")
    assert dx.message in body
    assert escape(dx.resolution_hint) in body
    assert f'href="/clients/{service.client_id}/#diagnoses"' in body
    assert f'href="/services/{service.pk}/correct/"' in body


def test_service_detail_history_names_who_corrected_what(provider_client, provider, service):
    provider_client.post(
        reverse("service-correct", kwargs={"pk": service.pk}), _correction(service, duration_minutes=45)
    )

    response = provider_client.get(reverse("service-detail", kwargs={"pk": service.pk}))

    newest = response.context["history"][0]
    assert newest.who == provider.username
    assert ("Duration (minutes)", 60, 45) in newest.changes
    assert newest.label == "update"


def test_correction_changes_only_the_editable_fields(provider_client, service):
    location = factories.LocationFactory(name="Clinic B")
    original_clinician = service.clinician_id

    response = provider_client.post(
        reverse("service-correct", kwargs={"pk": service.pk}),
        {**_correction(service, location=location.pk, mode_of_delivery="telehealth_video"), "clinician": 999},
    )

    service.refresh_from_db()
    assert response.status_code == 302
    assert (service.location, service.mode_of_delivery) == (location, "telehealth_video")
    assert service.clinician_id == original_clinician


def test_correcting_a_complete_service_sends_it_back_to_show_and_says_so(provider_client, service):
    _complete(service)
    form_page = provider_client.get(reverse("service-correct", kwargs={"pk": service.pk})).content.decode()

    response = provider_client.post(
        reverse("service-correct", kwargs={"pk": service.pk}), _correction(service, duration_minutes=30), follow=True
    )

    service.refresh_from_db()
    assert "Saving a correction puts it back in" in form_page
    assert (service.status, service.charge, service.units) == (Service.Status.SHOW, None, None)
    assert "It is back in Show" in response.content.decode()


def test_a_claimed_service_is_locked_for_correction(provider_client, service):
    _complete(service, claimed=True)
    url = reverse("service-correct", kwargs={"pk": service.pk})

    page = provider_client.get(url)
    post = provider_client.post(url, _correction(service, duration_minutes=30), follow=True)

    service.refresh_from_db()
    assert "form" not in page.context
    assert "went out on a claim" in page.content.decode()
    assert "went out on a claim" in post.content.decode()
    assert (service.duration_minutes, service.status) == (60, Service.Status.COMPLETE)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"duration_minutes": 0}, "duration_minutes", "Ensure this value is greater than or equal to 1."),
        ({"start": "2027-01-05T10:00"}, "start", "A service whose start lies in the future can only be Scheduled."),
        (
            {"delay_reason_code": "13"},
            "delay_reason_code",
            "Select a valid choice. 13 is not one of the available choices.",
        ),
        ({"billed_amount": "-5"}, "billed_amount", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_correction_errors_show_on_the_field(provider_client, service, changes, field, message):
    response = provider_client.post(
        reverse("service-correct", kwargs={"pk": service.pk}), _correction(service, **changes)
    )

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    service.refresh_from_db()
    assert service.duration_minutes == 60


def test_a_billable_procedure_cannot_be_corrected_to_a_non_billable_one(provider_client, service):
    non_billable = factories.ProcedureFactory(billable=False)

    response = provider_client.post(
        reverse("service-correct", kwargs={"pk": service.pk}), _correction(service, procedure=non_billable.pk)
    )

    assert response.context["form"].errors["procedure"] == [
        "A billable procedure cannot be changed to a non-billable one."
    ]


def test_mark_error_warns_that_the_note_is_discarded_before_doing_it(provider_client, service):
    url = reverse("service-mark-error", kwargs={"pk": service.pk})

    page = provider_client.get(url).content.decode()
    unconfirmed = provider_client.post(url, {})
    service.refresh_from_db()
    assert "its note is discarded" in page
    assert unconfirmed.context["form"].errors["confirm"]
    assert service.status == Service.Status.SHOW

    provider_client.post(url, {"confirm": "on"})

    service.refresh_from_db()
    assert (service.status, service.note_signed) == (Service.Status.ERROR, False)


def test_mark_error_is_refused_once_claimed(provider_client, service):
    _complete(service, claimed=True)
    url = reverse("service-mark-error", kwargs={"pk": service.pk})

    page = provider_client.get(url)
    post = provider_client.post(url, {"confirm": "on"}, follow=True)

    service.refresh_from_db()
    assert "Put in Error" not in page.content.decode()
    assert "went out on a claim" in post.content.decode()
    assert service.status == Service.Status.COMPLETE


def _new_service(program, clinician, location, procedure, **overrides) -> dict:
    data = {
        "program": program.pk,
        "procedure": procedure.pk,
        "clinician": clinician.pk,
        "location": location.pk,
        "start": "2026-11-02T09:30",
        "duration_minutes": 50,
        "mode_of_delivery": "in_person",
        "status": "show",
        "note_signed": "on",
    }
    data.update(overrides)
    return data


def test_add_service_for_a_client(provider_client, enrolled_client, program):
    clinician = factories.StaffFactory(agency=program.agency)
    location, procedure = factories.LocationFactory(), factories.ProcedureFactory()

    response = provider_client.post(
        reverse("service-add") + f"?client={enrolled_client.pk}",
        _new_service(program, clinician, location, procedure, client=enrolled_client.pk),
    )

    service = Service.objects.get(client=enrolled_client)
    assert response["Location"] == reverse("service-detail", kwargs={"pk": service.pk})
    assert (service.status, service.date_of_service, service.clinician) == ("show", dt.date(2026, 11, 2), clinician)


def test_add_service_offers_only_the_agencys_clinicians(provider_client, enrolled_client, program):
    outsider = factories.StaffFactory()
    location, procedure = factories.LocationFactory(), factories.ProcedureFactory()

    response = provider_client.post(
        reverse("service-add") + f"?client={enrolled_client.pk}",
        _new_service(program, outsider, location, procedure),
    )

    assert "clinician" in response.context["form"].errors
    assert not Service.objects.exists()


def test_add_service_for_another_agencys_client_answers_404(other_client, enrolled_client):
    assert other_client.get(reverse("service-add") + f"?client={enrolled_client.pk}").status_code == 404


@pytest.mark.parametrize("corrections", [1, 5])
def test_service_detail_query_count_does_not_grow_with_reasons_or_history(
    provider_client, service, corrections, django_assert_num_queries
):
    _fail(service, "DX_NOT_SIGNED", "NOTE_NOT_SIGNED", "NO_COVERAGE")
    for minutes in range(corrections):
        provider_client.post(
            reverse("service-correct", kwargs={"pk": service.pk}), _correction(service, duration_minutes=30 + minutes)
        )
    url = reverse("service-detail", kwargs={"pk": service.pk})

    # Session and user, the service with its joins, failures + rules, history events with their
    # context, the users, procedures and locations they name, the user's agency (layout) and the
    # session save with its savepoints: the same for one correction or many; plus the service's
    # overrides, and tonight's verdict: one engine call (10 queries and one per rule in effect) in a
    # transaction where pghistory sets the request's audit context (1).
    with django_assert_num_queries(13 + 1 + 1 + 10 + Rule.objects.count()):
        response = provider_client.get(url)

    assert len(response.context["history"]) == corrections + 1
    assert len(response.context["reasons"]) == 3


def test_add_service_without_a_client_sends_staff_to_the_client_list(provider_client):
    response = provider_client.get(reverse("service-add"), follow=True)

    assert response.redirect_chain == [(reverse("client-list"), 302)]
    assert "Open the client first" in response.content.decode()


@pytest.mark.parametrize(("who", "offered"), [("provider", False), ("county", True)])
def test_override_of_a_reason_is_offered_to_county_billing_only(provider_client, county_client, service, who, offered):
    _fail(service, "NO_MATCHING_RATE")
    browser = county_client if who == "county" else provider_client

    body = browser.get(reverse("service-detail", kwargs={"pk": service.pk})).content.decode()

    assert (f"/nightly/overrides/add/?service={service.pk}&amp;code=NO_MATCHING_RATE" in body) is offered
    assert "ask county billing to add a rate for this procedure." in body
    # The rate follows the billed plan: the fix link opens the client's coverage first.
    assert reverse("client-detail", kwargs={"pk": service.client_id}) + "#coverage" in body
    assert "Check the client&#x27;s coverage first" in body


# --- issue 11: the delay reason list, the billed amount, the program's procedures ----------------


def test_the_delay_reason_is_chosen_from_the_x12_list_with_its_meaning(provider_client, service):
    page = provider_client.get(reverse("service-correct", kwargs={"pk": service.pk}))
    choices = dict(page.context["form"].fields["delay_reason_code"].choices)
    assert list(choices) == ["", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "15"]
    assert choices["15"] == "15 Natural disaster"
    assert '<select name="delay_reason_code"' in page.content.decode()

    response = provider_client.post(
        reverse("service-correct", kwargs={"pk": service.pk}), _correction(service, delay_reason_code="3")
    )
    service.refresh_from_db()
    assert response.status_code == 302
    assert service.delay_reason_code == "3"
    assert (
        "3 Authorization delays"
        in provider_client.get(reverse("service-detail", kwargs={"pk": service.pk})).content.decode()
    )


def test_the_billed_amount_is_corrected_on_the_form(provider_client, service):
    provider_client.post(
        reverse("service-correct", kwargs={"pk": service.pk}), _correction(service, billed_amount="4200.00")
    )
    service.refresh_from_db()
    assert service.billed_amount == Decimal("4200.00")


def test_forms_offer_only_the_procedures_the_program_offers(provider_client, enrolled_client, program, service):
    offered, other = factories.ProcedureFactory(), factories.ProcedureFactory()
    program.procedures.add(offered)

    add_page = provider_client.get(reverse("service-add") + f"?client={enrolled_client.pk}")
    correct_page = provider_client.get(reverse("service-correct", kwargs={"pk": service.pk}))

    for page in (add_page, correct_page):
        assert list(page.context["form"].fields["procedure"].queryset) == [offered]
    response = provider_client.post(
        reverse("service-add") + f"?client={enrolled_client.pk}",
        _new_service(program, factories.StaffFactory(agency=program.agency), factories.LocationFactory(), other),
    )
    assert "procedure" in response.context["form"].errors
    assert Service.objects.filter(client=enrolled_client).count() == 1


def test_a_procedure_another_program_offers_is_an_error_on_the_procedure_field(
    provider_client, enrolled_client, program
):
    second = factories.ProgramFactory(agency=program.agency, code="HBH-SUD")
    factories.EnrollmentFactory(client=enrolled_client, program=second)
    mh_only, sud_only = factories.ProcedureFactory(), factories.ProcedureFactory()
    program.procedures.add(mh_only)
    second.procedures.add(sud_only)

    response = provider_client.post(
        reverse("service-add") + f"?client={enrolled_client.pk}",
        _new_service(program, factories.StaffFactory(agency=program.agency), factories.LocationFactory(), sud_only),
    )

    assert response.context["form"].errors["procedure"] == ["The program of the service does not offer this procedure."]
    assert not Service.objects.filter(client=enrolled_client).exists()
