"""Issue 9, item 1: no input that passed entry stops the night; a failing chunk is isolated; a run can be
cancelled (API and page); a run whose worker died is abandoned by its heartbeat; the run date's bounds.

The worker-level paths (a real Celery worker killed mid-run, a cancel while a chunk works) are in
test_worker.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as BrowserClient
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from common import bounds
from nightly import actions, engine, tasks
from nightly.models import NightlyRun, NightlyRunChunk, ServiceFailure
from services.models import Procedure, Rate, Service
from tests import factories as f
from tests.nightly.conftest import AS_OF, DOS

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 21, 20, 0, tzinfo=dt.UTC)  # 12:00 in the county


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


# --- extreme but valid values --------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_largest_values_entry_accepts_complete_without_error(system_admin, validate):
    """The longest service at the highest rate entry allows, per minute and per day, with limits and a
    TAR at their maximum: every statement of the run stays in range."""
    minute = f.billable_service(
        procedure=f.ProcedureFactory(unit=Procedure.Unit.MINUTE), duration_minutes=bounds.DURATION_MAX
    )
    day = f.billable_service(
        procedure=f.ProcedureFactory(unit=Procedure.Unit.DAY, requires_authorization=True),
        duration_minutes=bounds.DURATION_MAX,
        start=f.county_datetime(DOS, 23, 59),
    )
    f.ProcedureLimitFactory(procedure=minute.procedure, max_count=bounds.COUNT_MAX, max_minutes=bounds.COUNT_MAX)
    f.AuthorizationFactory(client=day.client, procedure=day.procedure, quantity=bounds.COUNT_MAX)
    admin = _api(system_admin)
    for service in (minute, day):
        rate = Rate.objects.get(procedure=service.procedure)
        # The column holds 99,999,999.99, but entry stops at RATE_MAX so that units x rate fits the charge.
        too_much = admin.patch(f"/api/rates/{rate.pk}/", {"amount": "99999999.99"}, format="json")
        assert too_much.status_code == 400
        assert "amount" in too_much.json()
        assert admin.patch(f"/api/rates/{rate.pk}/", {"amount": str(bounds.RATE_MAX)}, format="json").status_code == 200

    run = validate()

    assert run.status == NightlyRun.Status.SUCCEEDED
    minute.refresh_from_db()
    day.refresh_from_db()
    assert (minute.status, minute.units, minute.charge) == (
        Service.Status.COMPLETE,
        Decimal(2976),
        Decimal(2976) * bounds.RATE_MAX,
    )
    assert (day.status, day.units, day.charge) == (Service.Status.COMPLETE, Decimal(32), Decimal(32) * bounds.RATE_MAX)


# --- a failing chunk ----------------------------------------------------------------------------

FAULT = """
CREATE FUNCTION pg_temp.nightly_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'fault injected by the test'; END $$;
CREATE TRIGGER nightly_test_fault BEFORE UPDATE ON services_service
FOR EACH ROW WHEN (NEW.client_id = %s) EXECUTE FUNCTION pg_temp.nightly_test_fault();
"""


def _three_clients_one_faulty(settings) -> tuple[list[Service], Service]:
    """Three clients, one chunk each; any write to the middle client's services raises (not bad data)."""
    settings.NIGHTLY_CHUNK_SERVICES = 1
    services = [f.billable_service() for _ in range(3)]
    faulty = services[1]
    with connection.cursor() as cursor:
        cursor.execute(FAULT % int(faulty.client_id))
    return services, faulty


def _assert_the_faulty_chunk_is_named_and_the_others_done(run: NightlyRun, services, faulty) -> None:
    assert run.status == NightlyRun.Status.FAILED
    assert (run.chunks_total, run.chunks_done) == (3, 2)
    chunk = NightlyRunChunk.objects.get(run=run, finished_at=None)
    assert chunk.client_lo <= faulty.client_id <= chunk.client_hi
    assert chunk.error == "InternalError: RaiseException (SQLSTATE P0001)"
    assert f"clients {chunk.client_lo}-{chunk.client_hi}: InternalError: RaiseException (SQLSTATE P0001)" in run.error
    # The error names the range and the type only: no client data, not even PostgreSQL's message.
    assert faulty.client.last_name not in run.error
    assert "fault injected" not in run.error
    assert (run.services_checked, run.services_completed) == (2, 2)
    statuses = dict(Service.objects.values_list("id", "status"))
    assert [statuses[s.pk] for s in services] == [Service.Status.COMPLETE, Service.Status.SHOW, Service.Status.COMPLETE]
    assert not ServiceFailure.objects.filter(service=faulty).exists()


def test_a_failing_chunk_in_process_is_named_and_the_other_chunks_finish(settings, validate):
    services, faulty = _three_clients_one_faulty(settings)
    run = validate()
    _assert_the_faulty_chunk_is_named_and_the_others_done(run, services, faulty)


def test_a_failing_chunk_in_the_chord_is_named_and_the_other_chunks_finish(settings):
    services, faulty = _three_clients_one_faulty(settings)
    run_id = tasks.run_nightly.apply(kwargs={"as_of": AS_OF.isoformat()}).get()
    _assert_the_faulty_chunk_is_named_and_the_others_done(NightlyRun.objects.get(pk=run_id), services, faulty)
    # The lock is free: the next run starts.
    assert engine.run_validation(as_of=AS_OF).status == NightlyRun.Status.FAILED


# --- cancel -------------------------------------------------------------------------------------


@pytest.fixture
def active_run():
    return NightlyRun.objects.create(as_of=AS_OF, status=NightlyRun.Status.RUNNING, chunks_total=4, chunks_done=1)


@pytest.mark.parametrize("role", ["county", "system_admin"])
def test_county_billing_and_system_admin_cancel_a_run_through_the_api(active_run, county_user, system_admin, role):
    user = county_user if role == "county" else system_admin
    response = _api(user).post(f"/api/nightly-runs/{active_run.pk}/cancel/", format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["error"]) == ("failed", "cancelled")
    active_run.refresh_from_db()
    assert active_run.finished_at is not None
    # The one-run lock is free at once.
    assert actions.create_run(as_of=AS_OF).status == NightlyRun.Status.QUEUED


def test_a_queued_run_can_be_cancelled_and_its_task_then_does_nothing(county_user):
    service = f.billable_service()
    run = engine.create_run(as_of=AS_OF)
    assert _api(county_user).post(f"/api/nightly-runs/{run.pk}/cancel/").status_code == 200
    assert tasks.run_nightly.apply(kwargs={"run_id": run.pk}).get() == run.pk
    run.refresh_from_db()
    assert (run.status, run.error, run.chunks_total) == (NightlyRun.Status.FAILED, "cancelled", 0)
    service.refresh_from_db()
    assert service.status == Service.Status.SHOW


def test_a_chunk_of_a_cancelled_run_does_no_work(county_user):
    service = f.billable_service()
    run = engine.create_run(as_of=AS_OF)
    (lo, hi), *_ = engine.begin_run(run)
    actions.cancel_nightly_run(user=county_user, run=run)
    assert engine.validate_chunk(run_id=run.pk, client_lo=lo, client_hi=hi) is False
    assert not NightlyRunChunk.objects.filter(run=run).exists()
    service.refresh_from_db()
    assert (service.status, service.last_validated_at) == (Service.Status.SHOW, None)


def test_a_provider_admin_cannot_cancel(active_run):
    provider = f.UserFactory(agency=f.AgencyFactory())
    response = _api(provider).post(f"/api/nightly-runs/{active_run.pk}/cancel/")
    assert response.status_code == 403
    active_run.refresh_from_db()
    assert active_run.status == NightlyRun.Status.RUNNING


@pytest.mark.parametrize("status", [NightlyRun.Status.SUCCEEDED, NightlyRun.Status.FAILED])
def test_cancelling_a_finished_run_is_a_409(county_user, status):
    run = NightlyRun.objects.create(as_of=AS_OF, status=status, error="")
    response = _api(county_user).post(f"/api/nightly-runs/{run.pk}/cancel/")
    assert response.status_code == 409
    run.refresh_from_db()
    assert (run.status, run.error) == (status, "")


def test_the_runs_page_cancels_a_run_after_confirmation(active_run, county_user):
    browser = BrowserClient(enforce_csrf_checks=True)
    browser.force_login(county_user)
    runs = browser.get(reverse("nightly-runs")).content.decode()
    url = reverse("nightly-run-cancel", args=[active_run.pk])
    assert f'href="{url}"' in runs
    confirm = browser.get(url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert 'id="confirm-cancel"' in html
    active_run.refresh_from_db()
    assert active_run.status == NightlyRun.Status.RUNNING  # the GET only asks
    assert browser.post(url).status_code == 403  # no CSRF token
    response = browser.post(url, {"csrfmiddlewaretoken": confirm.context["csrf_token"]}, follow=True)
    assert response.status_code == 200
    assert f"Run {active_run.pk} cancelled" in response.content.decode()
    active_run.refresh_from_db()
    assert (active_run.status, active_run.error) == (NightlyRun.Status.FAILED, "cancelled")
    assert f'href="{url}"' not in browser.get(reverse("nightly-runs")).content.decode()


def test_the_cancel_page_is_county_only(active_run):
    browser = BrowserClient()
    browser.force_login(f.UserFactory(agency=f.AgencyFactory()))
    url = reverse("nightly-run-cancel", args=[active_run.pk])
    assert browser.get(url).status_code == 403
    assert browser.post(url).status_code == 403
    active_run.refresh_from_db()
    assert active_run.status == NightlyRun.Status.RUNNING


# --- heartbeat ----------------------------------------------------------------------------------


def test_a_run_is_abandoned_when_its_heartbeat_is_older_than_the_limit(settings, county_user):
    settings.NIGHTLY_HEARTBEAT_TIMEOUT = 120
    start = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    run = NightlyRun.objects.create(as_of=AS_OF, status=NightlyRun.Status.RUNNING)
    NightlyRun.objects.filter(pk=run.pk).update(created_at=start, started_at=start, heartbeat_at=start)
    assert engine.fail_abandoned_runs(now=start + dt.timedelta(seconds=119)) == 0
    # A beat keeps it alive past the limit counted from its start.
    NightlyRun.objects.filter(pk=run.pk).update(heartbeat_at=start + dt.timedelta(seconds=100))
    assert engine.fail_abandoned_runs(now=start + dt.timedelta(seconds=200)) == 0
    assert engine.fail_abandoned_runs(now=start + dt.timedelta(seconds=221)) == 1
    run.refresh_from_db()
    assert run.status == NightlyRun.Status.FAILED
    assert run.error == "Abandoned: no heartbeat for more than 120 seconds (the worker stopped)."


def test_a_start_after_the_heartbeat_limit_fails_the_dead_run_and_starts(settings, county_user):
    """Minutes, not the hour-long task limit: the next start finds the dead run and replaces it."""
    settings.NIGHTLY_HEARTBEAT_TIMEOUT = 300
    dead = NightlyRun.objects.create(as_of=AS_OF, status=NightlyRun.Status.RUNNING)
    stale = timezone.now() - dt.timedelta(minutes=6)
    NightlyRun.objects.filter(pk=dead.pk).update(created_at=stale, started_at=stale, heartbeat_at=stale)
    run = actions.start_nightly_run(user=county_user, as_of=AS_OF)
    assert run.pk != dead.pk
    dead.refresh_from_db()
    assert dead.status == NightlyRun.Status.FAILED
    assert "Abandoned" in dead.error


def test_the_beat_task_also_replaces_a_dead_run(settings):
    settings.NIGHTLY_HEARTBEAT_TIMEOUT = 300
    dead = NightlyRun.objects.create(as_of=AS_OF, status=NightlyRun.Status.RUNNING)
    stale = timezone.now() - dt.timedelta(minutes=6)
    NightlyRun.objects.filter(pk=dead.pk).update(created_at=stale, started_at=stale, heartbeat_at=stale)
    run_id = tasks.run_nightly.apply(kwargs={"as_of": AS_OF.isoformat()}).get()
    assert run_id is not None
    assert run_id != dead.pk
    assert NightlyRun.objects.get(pk=run_id).status == NightlyRun.Status.SUCCEEDED


def test_chunks_beat_while_they_work(validate):
    f.billable_service()
    run = validate()
    assert run.heartbeat_at is not None
    assert run.started_at <= run.heartbeat_at <= run.finished_at


# --- the run date -------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("as_of", ["1999-12-31", "2027-11-22"])  # today + 366 days
def test_a_run_date_before_2000_or_more_than_a_year_ahead_is_a_400(county_user, as_of):
    response = _api(county_user).post("/api/nightly-runs/", {"as_of": as_of}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]
    assert not NightlyRun.objects.exists()
    page = BrowserClient()
    page.force_login(county_user)
    form = page.post(reverse("nightly-run-start"), {"as_of": as_of})
    assert form.status_code == 400
    assert form.context["form"].errors["as_of"]
    with pytest.raises(CommandError, match="--date"):
        call_command("run_nightly", "--date", as_of)
    assert not NightlyRun.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_re_running_a_past_date_years_back_is_allowed(county_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(county_user).post("/api/nightly-runs/", {"as_of": "2001-01-01"}, format="json")
    assert response.status_code == 202
    assert response.json()["as_of"] == "2001-01-01"
