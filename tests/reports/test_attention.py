"""Services Needing Attention: the home page and its API (counts, links, oldest first, trend, scope)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from nightly.models import NightlyRun, Rule
from services.models import Service
from tests import factories
from tests.reports.conftest import fail, service_on, signed_in

pytestmark = pytest.mark.django_db

API = "/api/reports/services-needing-attention/"


@pytest.fixture
def failing(program, other_program, run):
    second = fail(service_on(dt.date(2026, 10, 2), program=program), "NO_COVERAGE", "DX_NOT_SIGNED", run=run)
    first = fail(service_on(dt.date(2026, 9, 30), program=program), "NO_COVERAGE", run=run)
    south = fail(service_on(dt.date(2026, 9, 1), program=other_program), "NOTE_NOT_SIGNED", run=run)
    # Passing, completed, and a left-over reason on a service now in Error: none of them count.
    service_on(dt.date(2026, 9, 5), program=program)
    fail(service_on(dt.date(2026, 9, 6), program=program, status=Service.Status.ERROR), "NO_COVERAGE", run=run)
    return {"first": first, "second": second, "south": south}


def test_api_counts_own_agency_by_reason_program_and_month(api_client, provider, program, failing):
    api_client.force_authenticate(provider)
    body = api_client.get(API).json()
    assert body["total"] == 2
    assert body["by_reason"] == {"NO_COVERAGE": 2, "DX_NOT_SIGNED": 1}
    assert body["by_program"] == [{"program": program.pk, "name": program.name, "code": "NMH", "count": 2}]
    assert body["by_month"] == [{"month": "2026-09", "count": 1}, {"month": "2026-10", "count": 1}]


def test_api_is_access_logged_and_needs_sign_in(api_client, provider, failing):
    assert api_client.get(API).status_code in (401, 403)
    api_client.force_authenticate(provider)
    api_client.get(API)
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.target) == (provider, "view_report", "report:services-needing-attention")


def test_api_county_counts_every_agency(api_client, county_user, failing):
    api_client.force_authenticate(county_user)
    body = api_client.get(API).json()
    assert body["total"] == 3
    assert body["by_reason"] == {"NO_COVERAGE": 2, "DX_NOT_SIGNED": 1, "NOTE_NOT_SIGNED": 1}
    assert sum(row["count"] for row in body["by_program"]) == 3
    assert body["by_month"] == [{"month": "2026-09", "count": 2}, {"month": "2026-10", "count": 1}]


def test_api_empty_when_nothing_fails(api_client, other_provider, program, run):
    fail(service_on(dt.date(2026, 9, 1), program=program), "NO_COVERAGE", run=run)
    api_client.force_authenticate(other_provider)
    assert api_client.get(API).json() == {"total": 0, "by_reason": {}, "by_program": [], "by_month": []}


def test_home_shows_counts_that_link_to_the_filtered_list(provider, program, failing):
    response = signed_in(provider).get(reverse("home"))
    assert response.status_code == 200
    context = response.context
    assert context["counts"].total == 2
    assert [(row["rule"].code, row["count"]) for row in context["by_reason"]] == [
        ("NO_COVERAGE", 2),
        ("DX_NOT_SIGNED", 1),
    ]
    reason_link = parse_qs(urlparse(context["by_reason"][0]["link"]).query)
    assert reason_link == {"status": ["show"], "failing": ["true"], "failure_reason": ["NO_COVERAGE"]}
    month_link = parse_qs(urlparse(context["by_month"][0]["link"]).query)
    assert month_link["dos_from"] == ["2026-09-01"]
    assert month_link["dos_to"] == ["2026-09-30"]
    html = response.content.decode()
    assert "<title>Services Needing Attention · Billing Portal</title>" in html
    assert "Billing Diagnosis Required: DX on file is not signed" in html  # staff wording
    assert failing["south"].client.last_name not in html


@pytest.mark.parametrize("which", ["total", "reason", "program", "month"])
def test_every_home_count_opens_a_list_with_that_many_services(provider, failing, which):
    client = signed_in(provider)
    context = client.get(reverse("home")).context
    link, expected = {
        "total": (context["total_link"], context["counts"].total),
        "reason": (context["by_reason"][1]["link"], context["by_reason"][1]["count"]),
        "program": (context["by_program"][0]["link"], context["by_program"][0]["count"]),
        "month": (context["by_month"][1]["link"], context["by_month"][1]["count"]),
    }[which]
    listed = len(client.get(link).context["rows"])
    assert listed == expected


def test_home_lists_the_oldest_failing_services_first_with_hints(provider, failing):
    response = signed_in(provider).get(reverse("home"))
    oldest = [row["item"] for row in response.context["oldest"]]
    assert [item.service.pk for item in oldest] == [failing["first"].pk, failing["second"].pk]
    assert [rule.code for rule in oldest[1].reasons] == ["DX_NOT_SIGNED", "NO_COVERAGE"]
    assert "sign it" in oldest[1].reasons[0].resolution_hint
    assert f"/services/{failing['first'].pk}/" in response.content.decode()


def test_home_trend_counts_own_agency_per_run_for_a_provider(provider, program, failing, run):
    later = NightlyRun.objects.create(
        as_of=dt.date(2026, 11, 21), status=NightlyRun.Status.SUCCEEDED, services_failed=40
    )
    fail(service_on(dt.date(2026, 11, 2), program=program), "NOTE_NOT_SIGNED", run=later)
    NightlyRun.objects.create(as_of=dt.date(2026, 11, 22), status=NightlyRun.Status.FAILED)
    response = signed_in(provider).get(reverse("home"))
    chart = response.context["chart"]
    # The first run failed three North services (one was put in Error since); the county's 40 is not theirs.
    assert [(point.label, point.value) for point in chart.points] == [("11-20", 3), ("11-21", 1)]
    assert "<svg" in response.content.decode()


def test_home_trend_uses_the_runs_figures_for_the_county(county_user, failing, run):
    response = signed_in(county_user).get(reverse("home"))
    assert [point.value for point in response.context["chart"].points] == [run.services_failed]


def test_home_without_any_run(provider):
    response = signed_in(provider).get(reverse("home"))
    html = response.content.decode()
    assert response.context["counts"].total == 0
    assert "No nightly run yet." in html
    assert "Nothing is failing." in html


def test_home_is_access_logged(provider, failing):
    signed_in(provider).get(reverse("home"))
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.target) == (provider, "view_report", "report:services-needing-attention")


@pytest.mark.parametrize("extra", [0, 5])
def test_home_query_count_is_fixed(django_assert_num_queries, county_user, program, run, extra):
    for day in range(1 + extra):
        fail(service_on(dt.date(2026, 8, 1 + day), program=program), "NO_COVERAGE", run=run)
    client = signed_in(county_user)
    # session + user; rules; freshness token; by program and month; by reason; trend runs; oldest
    # rows; last run; access-log insert; session save (savepoint, update, release); plus tonight's
    # verdict of the oldest rows, one engine call (10 queries and one per rule in effect) in a
    # transaction where pghistory sets the request's audit context (1).
    verdict = 1 + 10 + Rule.objects.count()
    with django_assert_num_queries(13 + verdict):
        client.get(reverse("home"))
    # Nothing changed: the figures come from the cache, only the token is read (the verdict is not cached).
    with django_assert_num_queries(11 + verdict):
        client.get(reverse("home"))


def test_cached_figures_follow_every_change(county_user, program, run):
    client = signed_in(county_user)
    first = fail(service_on(dt.date(2026, 8, 3), program=program), "NO_COVERAGE", run=run)
    assert client.get(reverse("home")).context["counts"].total == 1
    # A new reason (as a run writes it).
    second = fail(service_on(dt.date(2026, 9, 3), program=program), "NOTE_NOT_SIGNED", run=run)
    assert client.get(reverse("home")).context["counts"].total == 2
    # A failing service put in Error leaves the figures before the next run.
    Service.objects.filter(pk=first.pk).update(status=Service.Status.ERROR)
    counts = client.get(reverse("home")).context["counts"]
    assert (counts.total, [(rule.code, n) for rule, n in counts.by_reason]) == (1, [("NOTE_NOT_SIGNED", 1)])
    # A corrected date of service moves the service to its new month.
    Service.objects.filter(pk=second.pk).update(start=factories.county_datetime(dt.date(2026, 7, 9)))
    by_month = client.get(reverse("home")).context["by_month"]
    assert [(row["month"], row["count"]) for row in by_month] == [(dt.date(2026, 7, 1), 1)]
