from __future__ import annotations

import csv
import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from nightly.engine import run_validation
from services.models import Service
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county_world():
    """One agency whose service fails only because its diagnosis is not signed, after a real nightly run."""
    agency = factories.AgencyFactory(name="Harbor Behavioral Health")
    program = factories.ProgramFactory(agency=agency, code="HBH-MH", name="Outpatient MH")
    client = factories.ClientFactory(first_name="Maria", last_name="Lopez")
    document = factories.DiagnosisDocumentFactory(client=client, program=program, signed=False, signed_at=None)
    failing = factories.billable_service(
        client=client, program=program, start=factories.county_datetime(dt.date(2026, 9, 14))
    )
    provider = factories.UserFactory(username="harbor-admin", agency=agency, first_name="Pat", last_name="Admin")
    county = factories.CountyUserFactory(username="county-billing")
    outsider = factories.UserFactory(username="bay-admin", agency=factories.AgencyFactory(name="Bay Clinic"))
    run_validation(as_of=timezone.localdate())
    failing.refresh_from_db()
    assert failing.status == Service.Status.SHOW
    assert [f.rule.code for f in failing.failures.all()] == ["DX_NOT_SIGNED"]
    return {
        "client": client,
        "document": document,
        "service": failing,
        "provider": provider,
        "county": county,
        "outsider": outsider,
    }


def _sign_in(page: Page, base_url: str, user: User, shot=None) -> None:
    page.goto(f"{base_url}/login/")
    expect(page).to_have_title("Sign in · Billing Portal")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    if shot:
        shot("01-sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile("Services Needing Attention"))


def test_provider_admin_works_the_oldest_failing_service_to_complete(live_server, page, shot, county_world):
    service = county_world["service"]
    _sign_in(page, live_server.url, county_world["provider"], shot)

    expect(page.locator("#failing-total")).to_have_text("1")
    shot("02-home-provider")

    page.locator("a.oldest-service").first.click()
    expect(page).to_have_title(f"Service {service.pk} · Billing Portal")
    expect(page.locator("#failure-reasons")).to_contain_text("Billing Diagnosis Required: DX on file is not signed")
    shot("03-service-failing")

    page.get_by_role("link", name="Open the client's diagnoses to sign").click()
    expect(page).to_have_title(f"Client {service.client_id} · Billing Portal")
    expect(page.locator("#diagnoses")).to_contain_text("Not signed")
    shot("04-client-record")

    page.locator("#diagnoses").get_by_role("button", name=re.compile("^Sign diagnosis")).click()
    expect(page.get_by_role("status").first).to_contain_text("Diagnosis signed")
    expect(page.locator("#diagnoses")).to_contain_text("Signed")
    shot("05-diagnosis-signed")

    run_validation(as_of=timezone.localdate())

    page.goto(f"{live_server.url}/services/{service.pk}/")
    expect(page.locator("#service-status")).to_contain_text("Complete")
    expect(page.locator("#service-charge")).to_have_text("$100.00")
    shot("06-service-complete")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#failing-total")).to_have_text("0")
    shot("06b-home-provider-after-run")


def test_county_billing_downloads_the_cosd_error_report_as_csv(live_server, page, shot, county_world):
    service = county_world["service"]
    _sign_in(page, live_server.url, county_world["county"])
    shot("07-home-county")

    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="COSD Service Error Report").click()
    expect(page).to_have_title(re.compile("COSD Service Error Report"))
    shot("08-cosd-error-report")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    path = download_info.value.path()

    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    row = rows[0]
    assert (row["Service id"], row["Client id"], row["Program"]) == (str(service.pk), str(service.client_id), "HBH-MH")
    assert row["Date of service"] == "2026-09-14"
    # Exports carry the stable rule codes (DOMAIN.md: codes are the identifiers of filters and exports).
    assert row["Failure reasons"] == "DX_NOT_SIGNED"


def test_provider_admin_of_another_agency_sees_none_of_it(live_server, page, shot, county_world):
    service = county_world["service"]
    _sign_in(page, live_server.url, county_world["outsider"])

    expect(page.locator("#failing-total")).to_have_text("0")
    shot("09-home-other-agency")
    client_page = page.goto(f"{live_server.url}/clients/{service.client_id}/")
    assert client_page is not None
    assert client_page.status == 404
    expect(page).to_have_title("Not found · Billing Portal")
    shot("10-client-not-found-other-agency")
    service_page = page.goto(f"{live_server.url}/services/{service.pk}/")
    assert service_page is not None
    assert service_page.status == 404
    shot("11-service-not-found-other-agency")
    page.goto(f"{live_server.url}/clients/")
    expect(page.locator("#client-results")).to_contain_text("No clients found.")
    shot("12-clients-other-agency")
