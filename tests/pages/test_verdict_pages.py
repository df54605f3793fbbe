"""Tonight's verdict on the pages: after every kind of save, on the client record, the service page and
the Services Needing Attention queue; "Check now" on a client and on the queue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from coverage.models import Coverage
from diagnosis.models import DiagnosisDocument
from nightly.models import NightlyRun, Rule, ServiceFailure
from services.models import Service
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
COMPLETES = "Tonight: completes, 1 unit, $100.00"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def service(program, enrolled_client):
    return factories.billable_service(program=program, client=enrolled_client)


def record(browser, client) -> str:
    return browser.get(reverse("client-detail", kwargs={"pk": client.pk})).content.decode()


def still_fails(page: str, code: str) -> bool:
    rule = Rule.objects.get(code=code)
    return "Tonight: still fails:" in page and escape(rule.message) in page and escape(rule.resolution_hint) in page


def test_saving_the_client_account_shows_the_verdict_on_the_record(provider_client, enrolled_client, service):
    enrolled_client.__class__.objects.filter(pk=enrolled_client.pk).update(financial_info_complete=False)
    assert still_fails(record(provider_client, enrolled_client), "FINANCIAL_INFO_INCOMPLETE")

    response = provider_client.post(
        reverse("client-account", kwargs={"pk": enrolled_client.pk}), {"financial_info_complete": "on"}, follow=True
    )

    assert COMPLETES in response.content.decode()


def test_saving_coverage_shows_the_verdict_on_the_record(provider_client, enrolled_client, service):
    Coverage.objects.filter(client=enrolled_client).delete()
    assert still_fails(record(provider_client, enrolled_client), "NO_COVERAGE")

    response = provider_client.post(
        reverse("client-coverage-add", kwargs={"pk": enrolled_client.pk}),
        {
            "payer": factories.PayerFactory().pk,
            "priority": 1,
            "start_date": "2026-01-01",
            "insured_id": "91234567A",
            "subscriber_is_client": "on",
        },
        follow=True,
    )

    assert COMPLETES in response.content.decode()


def test_signing_a_diagnosis_shows_the_verdict_on_the_record(provider_client, enrolled_client, service):
    document = DiagnosisDocument.objects.get(client=enrolled_client)
    DiagnosisDocument.objects.filter(pk=document.pk).update(signed=False, signed_at=None)
    assert still_fails(record(provider_client, enrolled_client), "DX_NOT_SIGNED")

    response = provider_client.post(
        reverse("client-diagnosis-sign", kwargs={"pk": enrolled_client.pk, "diagnosis_pk": document.pk}), follow=True
    )

    assert COMPLETES in response.content.decode()


def test_saving_an_authorization_shows_the_verdict_on_the_record(provider_client, enrolled_client, service):
    service.procedure.__class__.objects.filter(pk=service.procedure_id).update(requires_authorization=True)
    assert still_fails(record(provider_client, enrolled_client), "AUTHORIZATION_REQUIRED")

    response = provider_client.post(
        reverse("client-authorization-add", kwargs={"pk": enrolled_client.pk}),
        {
            "payer": factories.PayerFactory().pk,
            "procedure": service.procedure_id,
            "tar_number": "TAR-9",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "quantity": 5,
            "status": "approved",
        },
        follow=True,
    )

    assert COMPLETES in response.content.decode()


def test_correcting_a_service_shows_the_verdict_on_the_service_page(provider_client, service):
    Service.objects.filter(pk=service.pk).update(note_signed=False)
    page = provider_client.get(reverse("service-detail", kwargs={"pk": service.pk})).content.decode()
    assert still_fails(page, "NOTE_NOT_SIGNED")

    response = provider_client.post(
        reverse("service-correct", kwargs={"pk": service.pk}),
        {
            "procedure": service.procedure_id,
            "location": service.location_id,
            "mode_of_delivery": service.mode_of_delivery,
            "start": timezone.localtime(service.start).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
            "note_signed": "on",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("service-detail", kwargs={"pk": service.pk})
    assert COMPLETES in response.content.decode()


def test_the_queue_marks_a_fixed_item_and_keeps_an_unfixed_one(provider_client, program, enrolled_client, service):
    run = NightlyRun.objects.create(as_of=dt.date(2026, 11, 19), status=NightlyRun.Status.SUCCEEDED)
    unfixed = factories.billable_service(
        program=program, client=enrolled_client, note_signed=False, start=factories.county_datetime(dt.date(2026, 9, 1))
    )
    note = Rule.objects.get(code="NOTE_NOT_SIGNED")
    for failing in (service, unfixed):  # last night both failed; the first has been fixed since
        ServiceFailure.objects.create(service=failing, rule=note, run=run)

    page = provider_client.get(reverse("home")).content.decode()

    assert page.count("Fixed, completes tonight: 1 unit, $100.00") == 1
    assert page.count("Tonight: still fails:") == 1
    assert 'action="/nightly/check-now/"' in page


def test_check_now_on_a_client_sums_up_and_comes_back(provider_client, enrolled_client, service):
    url = reverse("client-detail", kwargs={"pk": enrolled_client.pk})
    response = provider_client.post(
        reverse("nightly-check-now"), {"client": enrolled_client.pk, "next": url}, follow=True
    )
    assert response.redirect_chain[-1][0] == url
    assert "Checked 1 service now: 1 complete tonight, 0 still fail." in response.content.decode()


def test_check_now_of_another_agencys_client_is_a_404(other_client, enrolled_client, service):
    response = other_client.post(reverse("nightly-check-now"), {"client": enrolled_client.pk, "next": "/"})
    assert response.status_code == 404
    for junk in ("x", "9" * 30):
        assert other_client.post(reverse("nightly-check-now"), {"client": junk}).status_code == 404
    assert other_client.post(reverse("nightly-check-now"), {"services": ["9" * 30]}).status_code == 302


def test_check_now_on_the_queue_checks_only_services_in_scope(other_client, provider_client, service):
    mine = provider_client.post(reverse("nightly-check-now"), {"services": [service.pk], "next": "/"}, follow=True)
    theirs = other_client.post(reverse("nightly-check-now"), {"services": [service.pk], "next": "/"}, follow=True)
    assert "Checked 1 service now" in mine.content.decode()
    assert "Checked 0 services now" in theirs.content.decode()


def test_check_now_never_redirects_off_site(provider_client, enrolled_client):
    response = provider_client.post(
        reverse("nightly-check-now"), {"client": enrolled_client.pk, "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_an_override_shows_on_the_service(provider_client, county_user, service):
    Service.objects.filter(pk=service.pk).update(note_signed=False)
    service.overrides.create(rule=Rule.objects.get(code="NOTE_NOT_SIGNED"), reason="Paper note", created_by=county_user)
    page = provider_client.get(reverse("service-detail", kwargs={"pk": service.pk})).content.decode()
    assert "Overridden reasons" in page
    assert "Paper note" in page
    assert COMPLETES in page


def test_a_service_in_error_drops_last_nights_reasons(provider_client, service):
    run = NightlyRun.objects.create(as_of=dt.date(2026, 11, 19), status=NightlyRun.Status.SUCCEEDED)
    ServiceFailure.objects.create(service=service, rule=Rule.objects.get(code="NOTE_NOT_SIGNED"), run=run)
    Service.objects.filter(pk=service.pk).update(status=Service.Status.ERROR)
    page = provider_client.get(reverse("service-detail", kwargs={"pk": service.pk})).content.decode()
    assert escape(Rule.objects.get(code="NOTE_NOT_SIGNED").message) not in page
    assert "Tonight:" not in page  # the night does not look at it


@pytest.mark.parametrize("failing_rules", [1, 3])
def test_service_page_query_count_is_fixed(provider_client, service, failing_rules, django_assert_num_queries):
    run = NightlyRun.objects.create(as_of=dt.date(2026, 11, 19), status=NightlyRun.Status.SUCCEEDED)
    for rule in Rule.objects.all()[:failing_rules]:
        ServiceFailure.objects.create(service=service, rule=rule, run=run)
    rules = Rule.objects.count()
    # The page's own 14 queries (session, user, service and its joins, failures, rules, overrides,
    # history...) plus one engine call (10 and one per rule in effect), however many reasons it shows.
    with django_assert_num_queries(14 + 10 + rules):
        response = provider_client.get(reverse("service-detail", kwargs={"pk": service.pk}))
    assert response.status_code == 200
