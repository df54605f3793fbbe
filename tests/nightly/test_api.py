"""`/api/nightly-runs/` and `/api/services/{id}/overrides/` as API.md says."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from nightly.models import FailureOverride, NightlyRun, Rule
from services.models import Service
from tests import factories as f
from tests.nightly.conftest import AS_OF, reasons

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 21, 20, 0, tzinfo=dt.UTC)  # 12:00 in the county


@pytest.fixture
def county_client(api_client, county_user):
    api_client.force_authenticate(county_user)
    return api_client


@pytest.mark.django_db(transaction=True)
@time_machine.travel(NOW, tick=False)
def test_county_billing_starts_a_run_that_has_finished_by_the_202(county_client):
    """Committed for real (no test transaction), so the in-process tasks run before the answer."""
    service = f.billable_service(note_signed=False)
    response = county_client.post("/api/nightly-runs/", {"as_of": "2026-11-20"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["as_of"] == "2026-11-20"
    assert (body["services_checked"], body["services_completed"], body["services_failed"]) == (1, 0, 1)
    assert body["failures_by_rule"] == {"NOTE_NOT_SIGNED": 1}
    assert reasons(service) == {"NOTE_NOT_SIGNED"}
    assert NightlyRun.objects.get(pk=body["id"]).started_by.username == "county-test"


@time_machine.travel(NOW, tick=False)
def test_run_date_defaults_to_today_in_the_county(county_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = county_client.post("/api/nightly-runs/", {}, format="json")
    assert response.status_code == 202
    assert response.json()["as_of"] == "2026-11-21"


def test_second_run_while_one_is_queued_answers_409(county_client):
    NightlyRun.objects.create(as_of=AS_OF, status=NightlyRun.Status.QUEUED)
    response = county_client.post("/api/nightly-runs/", {}, format="json")
    assert response.status_code == 409
    assert "already running" in response.json()["detail"]
    assert NightlyRun.objects.count() == 1


@pytest.mark.parametrize("as_of", ["2026-13-01", "yesterday", "2999-01-01"])
def test_bad_run_date_is_a_400_naming_the_field(county_client, as_of):
    response = county_client.post("/api/nightly-runs/", {"as_of": as_of}, format="json")
    assert response.status_code == 400
    assert "as_of" in response.json()


@pytest.mark.parametrize("body", ['""', "[]", '"2026-11-20"'])
def test_a_body_that_is_not_an_object_is_a_400(county_client, body):
    """An empty body starts a run as of today; a JSON string or list is not "no options" (it was)."""
    response = county_client.post("/api/nightly-runs/", body, content_type="application/json")
    assert response.status_code == 400
    assert NightlyRun.objects.count() == 0


def test_provider_admin_reads_runs_but_cannot_start_one(api_client):
    NightlyRun.objects.create(as_of=AS_OF, status=NightlyRun.Status.SUCCEEDED, failures_by_rule={"NO_COVERAGE": 2})
    api_client.force_authenticate(f.UserFactory())
    assert api_client.post("/api/nightly-runs/", {}, format="json").status_code == 403
    listing = api_client.get("/api/nightly-runs/")
    assert listing.status_code == 200
    assert listing.json()["results"][0]["failures_by_rule"] == {"NO_COVERAGE": 2}


def test_run_detail_has_the_api_fields(api_client, system_admin):
    run = NightlyRun.objects.create(as_of=AS_OF, status=NightlyRun.Status.RUNNING, chunks_total=4, chunks_done=1)
    api_client.force_authenticate(system_admin)
    body = api_client.get(f"/api/nightly-runs/{run.pk}/").json()
    assert {
        "id",
        "as_of",
        "status",
        "started_at",
        "finished_at",
        "services_checked",
        "services_completed",
        "services_failed",
        "failures_by_rule",
    } <= body.keys()
    assert (body["chunks_total"], body["chunks_done"]) == (4, 1)


def test_anonymous_cannot_read_runs(api_client):
    assert api_client.get("/api/nightly-runs/").status_code in {401, 403}


def test_county_billing_overrides_a_reason_and_the_next_run_lets_it_pass(county_client, validate):
    service = f.billable_service(note_signed=False)
    validate()
    response = county_client.post(
        f"/api/services/{service.pk}/overrides/",
        {"code": "NOTE_NOT_SIGNED", "reason": "Signed on paper"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["code"] == "NOTE_NOT_SIGNED"
    override = FailureOverride.objects.get(service=service)
    assert override.created_by.username == "county-test"
    # Audited with the acting user.
    event = override.events.get(pgh_label="insert")  # type: ignore[attr-defined]
    assert event.pgh_context.metadata["user"] == override.created_by_id
    listing = county_client.get(f"/api/services/{service.pk}/overrides/")
    assert [row["reason"] for row in listing.json()] == ["Signed on paper"]
    validate(as_of=AS_OF + dt.timedelta(days=1))
    service.refresh_from_db()
    assert service.status == Service.Status.COMPLETE


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"code": "NOT_A_RULE", "reason": "x"}, "code"),
        ({"code": "NOTE_NOT_SIGNED", "reason": "   "}, "reason"),
        ({"code": "NOTE_NOT_SIGNED"}, "reason"),
        ({"reason": "x"}, "code"),
    ],
)
def test_bad_override_is_a_400_naming_the_field(county_client, payload, field):
    service = f.billable_service()
    response = county_client.post(f"/api/services/{service.pk}/overrides/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not FailureOverride.objects.exists()


def test_second_override_of_the_same_reason_is_a_400(county_client):
    service = f.billable_service()
    body = {"code": "NOTE_NOT_SIGNED", "reason": "Signed on paper"}
    assert county_client.post(f"/api/services/{service.pk}/overrides/", body, format="json").status_code == 201
    response = county_client.post(f"/api/services/{service.pk}/overrides/", body, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_provider_admin_cannot_override_and_sees_only_own_agency_overrides(api_client, county_user):
    service = f.billable_service()
    FailureOverride.objects.create(
        service=service, rule=Rule.objects.get(code="NO_COVERAGE"), reason="r", created_by=county_user
    )
    own = f.UserFactory(agency=service.program.agency)
    api_client.force_authenticate(own)
    assert api_client.get(f"/api/services/{service.pk}/overrides/").status_code == 200
    response = api_client.post(
        f"/api/services/{service.pk}/overrides/", {"code": "NOTE_NOT_SIGNED", "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    api_client.force_authenticate(f.UserFactory())  # another agency
    assert api_client.get(f"/api/services/{service.pk}/overrides/").status_code == 404


@pytest.mark.parametrize("service_id", ["abc", "1.5", "99999999999999999999"])
def test_overrides_of_a_malformed_service_id_are_a_json_404(county_client, service_id):
    response = county_client.get(f"/api/services/{service_id}/overrides/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
