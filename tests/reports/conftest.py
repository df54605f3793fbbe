"""Failing services for the reports' tests, made directly (a run and its ServiceFailure rows), so the
reports are tested on stored results without depending on the engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from nightly.models import FailureHistory, NightlyRun, Rule, ServiceFailure
from services.models import Service
from tests import factories


@pytest.fixture
def run(db) -> NightlyRun:
    return NightlyRun.objects.create(
        as_of=dt.date(2026, 11, 20), status=NightlyRun.Status.SUCCEEDED, services_checked=10, services_failed=3
    )


def fail(service: Service, *codes: str, run: NightlyRun) -> Service:
    """Attach current failure reasons (and their history rows) to a service, as a run would."""
    for code in codes:
        rule = Rule.objects.get(code=code)
        ServiceFailure.objects.create(service=service, rule=rule, run=run)
        FailureHistory.objects.create(service=service, rule=rule, run=run)
    return service


def service_on(day: dt.date, **overrides) -> Service:
    return factories.ServiceFactory(start=factories.county_datetime(day), **overrides)


@pytest.fixture
def agency(db):
    return factories.AgencyFactory(name="North Clinic")


@pytest.fixture
def other_agency(db):
    return factories.AgencyFactory(name="South Clinic")


@pytest.fixture
def program(agency):
    return factories.ProgramFactory(agency=agency, code="NMH", name="North Mental Health")


@pytest.fixture
def other_program(other_agency):
    return factories.ProgramFactory(agency=other_agency, code="SMH", name="South Mental Health")


@pytest.fixture
def provider(agency):
    return factories.UserFactory(username="provider-north", agency=agency)


@pytest.fixture
def other_provider(other_agency):
    return factories.UserFactory(username="provider-south", agency=other_agency)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """The attention figures are cached with a freshness token; every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
