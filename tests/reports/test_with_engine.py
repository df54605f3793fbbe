"""The pages on results the real engine wrote: start a run from the page, override, reports follow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from nightly.engine import run_validation
from nightly.models import FailureOverride, NightlyRun
from nightly.views import run_message
from services.models import Service
from tests import factories
from tests.reports.conftest import signed_in

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture
def unsigned_note(program):
    return factories.billable_service(
        program=program, note_signed=False, start=factories.county_datetime(dt.date(2026, 10, 6))
    )


@pytest.fixture
def passing(program):
    return factories.billable_service(program=program, start=factories.county_datetime(dt.date(2026, 10, 7)))


def test_engine_results_reach_the_home_page_and_the_error_report(provider, unsigned_note, passing):
    run_validation(as_of=AS_OF)
    client = signed_in(provider)
    home = client.get(reverse("home"))
    assert home.context["counts"].total == 1
    assert [(rule.code, n) for rule, n in home.context["counts"].by_reason] == [("NOTE_NOT_SIGNED", 1)]
    assert [row["item"].service.pk for row in home.context["oldest"]] == [unsigned_note.pk]
    report = client.get(reverse("report-service-errors"))
    assert [row["record"]["service"] for row in report.context["rows"]] == [unsigned_note.pk]
    passing.refresh_from_db()
    assert passing.status == Service.Status.COMPLETE
    listed = client.get(reverse("service-list"), {"status": "complete"})
    assert [row["service"].pk for row in listed.context["rows"]] == [passing.pk]

    # The clinician signs the note; the next run completes it and the figures drop to nothing.
    Service.objects.filter(pk=unsigned_note.pk).update(note_signed=True)
    run_validation(as_of=AS_OF)
    assert client.get(reverse("home")).context["counts"].total == 0


def test_county_starts_a_run_from_the_page(county_user, unsigned_note, django_capture_on_commit_callbacks):
    client = signed_in(county_user)
    # The run is handed to Celery on commit; no broker in the tests, so it runs in-process then.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("nightly-run-start"), {"as_of": AS_OF.isoformat()})
    response = client.get(reverse("nightly-runs"))
    assert response.status_code == 200
    run = NightlyRun.objects.get()
    assert (run.as_of, run.status, run.started_by) == (AS_OF, NightlyRun.Status.SUCCEEDED, county_user)
    # The callbacks ran after the view answered, so the message saw the run still queued.
    assert f"Run {run.pk} for 11/20/2026 started; it is queued." in response.content.decode()
    # Read again now that it is over, the run's message says "finished", never "started (Succeeded)".
    assert run_message(run) == f"Run {run.pk} for 11/20/2026 finished: 1 checked, 1 failing."
    assert response.context["rows"][0]["by_rule"][0]["code"] == "NOTE_NOT_SIGNED"


def test_second_run_while_one_is_active_is_refused_with_a_message(county_user, unsigned_note):
    NightlyRun.objects.create(as_of=AS_OF, status=NightlyRun.Status.RUNNING)
    response = signed_in(county_user).post(reverse("nightly-run-start"), {"as_of": AS_OF.isoformat()}, follow=True)
    assert "A run is already queued or running" in response.content.decode()
    assert NightlyRun.objects.count() == 1


def test_start_run_with_a_bad_date_shows_the_field_error(county_user):
    response = signed_in(county_user).post(reverse("nightly-run-start"), {"as_of": "20/11/2026"})
    assert response.status_code == 400
    assert response.context["form"].errors["as_of"]
    assert not NightlyRun.objects.exists()


def test_override_from_the_page_lets_the_reason_pass_on_the_next_run(county_user, provider, unsigned_note):
    run_validation(as_of=AS_OF)
    client = signed_in(county_user)
    response = client.post(
        reverse("nightly-override-add") + f"?service={unsigned_note.pk}",
        {"service": unsigned_note.pk, "code": "NOTE_NOT_SIGNED", "reason": "Signed on paper; scanned into the chart."},
    )
    assert response.status_code == 302
    override = FailureOverride.objects.get()
    assert (override.service, override.rule.code, override.created_by) == (
        unsigned_note,
        "NOTE_NOT_SIGNED",
        county_user,
    )
    run_validation(as_of=AS_OF)
    unsigned_note.refresh_from_db()
    assert unsigned_note.status == Service.Status.COMPLETE


def test_override_needs_a_written_reason(county_user, unsigned_note):
    run_validation(as_of=AS_OF)
    response = signed_in(county_user).post(
        reverse("nightly-override-add"), {"service": unsigned_note.pk, "code": "NOTE_NOT_SIGNED", "reason": "   "}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert not FailureOverride.objects.exists()


def test_override_twice_is_not_offered_again(county_user, unsigned_note):
    run_validation(as_of=AS_OF)
    client = signed_in(county_user)
    data = {"service": unsigned_note.pk, "code": "NOTE_NOT_SIGNED", "reason": "Paper note."}
    client.post(reverse("nightly-override-add"), data)
    # Its only reason overridden, the service is not offered the override again: back to its page.
    response = client.post(reverse("nightly-override-add"), data, follow=True)
    assert response.redirect_chain == [(f"/services/{unsigned_note.pk}/", 302)]
    assert "already overridden" in response.content.decode()
    assert FailureOverride.objects.count() == 1
