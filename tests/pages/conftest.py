from __future__ import annotations

import pytest
from django.test import Client as BrowserClient

from tests import factories


@pytest.fixture
def agency():
    return factories.AgencyFactory(name="Harbor Behavioral Health")


@pytest.fixture
def program(agency):
    return factories.ProgramFactory(agency=agency, code="HBH-MH", name="Outpatient MH")


@pytest.fixture
def provider(agency):
    return factories.UserFactory(username="provider-a", agency=agency)


@pytest.fixture
def other_provider():
    return factories.UserFactory(username="provider-b", agency=factories.AgencyFactory(name="Other Agency"))


def _logged_in(user) -> BrowserClient:
    browser = BrowserClient()
    browser.force_login(user)
    return browser


@pytest.fixture
def provider_client(provider) -> BrowserClient:
    return _logged_in(provider)


@pytest.fixture
def other_client(other_provider) -> BrowserClient:
    return _logged_in(other_provider)


@pytest.fixture
def county_client(county_user) -> BrowserClient:
    return _logged_in(county_user)


@pytest.fixture
def enrolled_client(program):
    client = factories.ClientFactory(first_name="Maria", last_name="Lopez")
    factories.EnrollmentFactory(client=client, program=program)
    return client
