"""The Nightly runs page: history with counts by rule and durations, progress polling, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from nightly.models import NightlyRun
from tests.reports.conftest import service_on, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(db):
    done = NightlyRun.objects.create(
        as_of=dt.date(2026, 11, 20),
        status=NightlyRun.Status.SUCCEEDED,
        services_checked=120,
        services_completed=100,
        services_failed=20,
        failures_by_rule={"NO_COVERAGE": 12, "DX_NOT_SIGNED": 9},
        duration_seconds=4.26,
        chunks_total=4,
        chunks_done=4,
    )
    active = NightlyRun.objects.create(
        as_of=dt.date(2026, 11, 21), status=NightlyRun.Status.RUNNING, chunks_total=8, chunks_done=3
    )
    return {"done": done, "active": active}


def test_history_shows_counts_by_rule_and_durations(county_user, runs):
    response = signed_in(county_user).get(reverse("nightly-runs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Nightly runs · Billing Portal</title>" in html
    assert [row["run"].pk for row in response.context["rows"]] == [runs["active"].pk, runs["done"].pk]
    done = response.context["rows"][1]
    assert [(item["code"], item["count"]) for item in done["by_rule"]] == [("NO_COVERAGE", 12), ("DX_NOT_SIGNED", 9)]
    assert "4.3 s" in html
    assert "No Coverage Plan Time Span Covers the Date of Service" in html


def test_active_run_row_polls_and_finished_row_does_not(county_user, runs):
    client = signed_in(county_user)
    html = client.get(reverse("nightly-runs")).content.decode()
    assert f'hx-get="{reverse("nightly-run-progress", args=[runs["active"].pk])}"' in html
    assert reverse("nightly-run-progress", args=[runs["done"].pk]) not in html


def test_progress_partial_shows_chunks_and_stops_polling_when_finished(county_user, runs):
    client = signed_in(county_user)
    url = reverse("nightly-run-progress", args=[runs["active"].pk])
    running = client.get(url).content.decode()
    assert "3 / 8 chunks" in running
    assert 'hx-trigger="every 2s"' in running
    NightlyRun.objects.filter(pk=runs["active"].pk).update(status=NightlyRun.Status.SUCCEEDED, chunks_done=8)
    finished = client.get(url).content.decode()
    assert "8 / 8 chunks" in finished
    assert "hx-trigger" not in finished
    assert "<html" not in finished


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("nightly-runs", [], "get"),
        ("nightly-run-start", [], "post"),
        ("nightly-override-add", [], "get"),
    ],
)
def test_provider_admin_cannot_use_the_nightly_pages(provider, name, args, method):
    response = getattr(signed_in(provider), method)(reverse(name, args=args))
    assert response.status_code == 403


def test_progress_is_county_only(provider, runs):
    assert signed_in(provider).get(reverse("nightly-run-progress", args=[runs["done"].pk])).status_code == 403


def test_unknown_run_is_404(county_user):
    assert signed_in(county_user).get(reverse("nightly-run-progress", args=[999999])).status_code == 404


def test_override_form_lists_the_services_current_reasons(county_user, program, run):
    from tests.reports.conftest import fail

    service = fail(service_on(dt.date(2026, 9, 1), program=program), "NO_COVERAGE", "NOTE_NOT_SIGNED", run=run)
    response = signed_in(county_user).get(
        reverse("nightly-override-add"), {"service": service.pk, "code": "NOTE_NOT_SIGNED"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert [code for code, _ in form.fields["code"].choices] == ["NOTE_NOT_SIGNED", "NO_COVERAGE"]
    assert form.initial["code"] == "NOTE_NOT_SIGNED"


def test_override_form_for_unknown_service_is_404(county_user):
    response = signed_in(county_user).get(reverse("nightly-override-add"), {"service": 999999})
    assert response.status_code == 404


@pytest.mark.parametrize("extra", [0, 3])
def test_history_query_count_is_fixed(django_assert_num_queries, county_user, extra):
    for day in range(1 + extra):
        NightlyRun.objects.create(
            as_of=dt.date(2026, 10, 1 + day), status=NightlyRun.Status.SUCCEEDED, failures_by_rule={"NO_COVERAGE": 1}
        )
    client = signed_in(county_user)
    # session + user; count; runs (with who started them); rules; session save (3)
    with django_assert_num_queries(8):
        client.get(reverse("nightly-runs"))
