"""Who may use the Django admin, and for what: the role decides (accounts.backends)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

REFERENCE_DATA = ["services_procedure", "services_procedurelimit", "services_rate", "coverage_payer", "nightly_rule"]
REFERENCE_DATA += ["reports_correctiondeadline"]
COUNTY_READS_ONLY = ["nightly_nightlyrun", "nightly_failureoverride"]
NOT_FOR_COUNTY = ["clients_client", "services_service", "clients_agency", "accounts_user", "coverage_coverage"]


def _browser(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_is_staff_follows_the_role():
    county = factories.CountyUserFactory(is_staff=False)
    provider = factories.UserFactory(is_staff=True)
    assert (county.is_staff, provider.is_staff) == (True, False)
    provider.role, provider.agency = User.Role.COUNTY_BILLING, None
    provider.save(update_fields=["role", "agency"])
    provider.refresh_from_db()
    assert provider.is_staff


@pytest.mark.parametrize("model", REFERENCE_DATA)
def test_county_billing_keeps_reference_data_in_the_admin(model):
    browser = _browser(factories.CountyUserFactory())
    assert browser.get(reverse(f"admin:{model}_changelist"), secure=True).status_code == 200
    assert browser.get(reverse(f"admin:{model}_add"), secure=True).status_code == 200


def test_county_billing_adds_a_rate_through_the_admin_and_it_is_audited():
    county = factories.CountyUserFactory()
    procedure = factories.ProcedureFactory()
    answer = _browser(county).post(
        reverse("admin:services_rate_add"),
        {"procedure": procedure.pk, "amount": "123.45", "start_date": "2026-07-01", "end_date": ""},
        secure=True,
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    rate = procedure.rates.get(amount="123.45")
    event = rate.events.get(pgh_label="insert")
    assert event.pgh_context.metadata["user"] == county.pk


@pytest.mark.parametrize("model", COUNTY_READS_ONLY)
def test_county_billing_reads_runs_and_overrides_but_does_not_write_them(model):
    browser = _browser(factories.CountyUserFactory())
    assert browser.get(reverse(f"admin:{model}_changelist"), secure=True).status_code == 200
    assert browser.get(reverse(f"admin:{model}_add"), secure=True).status_code == 403


@pytest.mark.parametrize("model", NOT_FOR_COUNTY)
def test_county_billing_does_not_reach_client_records_or_users_in_the_admin(model):
    browser = _browser(factories.CountyUserFactory())
    assert browser.get(reverse(f"admin:{model}_changelist"), secure=True).status_code == 403


def test_provider_admin_staff_are_not_let_into_the_admin():
    answer = _browser(factories.UserFactory()).get(reverse("admin:index"), secure=True)
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("admin:login"))


def test_system_admin_without_superuser_flag_still_reaches_everything():
    admin = factories.UserFactory(role=User.Role.SYSTEM_ADMIN, agency=None, is_superuser=False)
    browser = _browser(admin)
    for model in [*REFERENCE_DATA, *NOT_FOR_COUNTY]:
        assert browser.get(reverse(f"admin:{model}_changelist"), secure=True).status_code == 200, model
