"""Browser: a provider admin uploads a sheet, sees every error, fixes the file, imports it and sees
tonight's verdicts; and enters services in the batch grid with Copy row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from imports.models import Import
from services.models import Service
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def harbor():
    agency = factories.AgencyFactory(name="Harbor Behavioral Health")
    program = factories.ProgramFactory(agency=agency, code="HBH-MH", name="Outpatient MH")
    client = factories.ClientFactory(first_name="Maria", last_name="Lopez")
    # Enrollment, coverage, a signed diagnosis and a rate: a service of hers would complete tonight.
    factories.billable_service(client=client, program=program, start=factories.county_datetime(dt.date(2026, 1, 5)))
    procedure = factories.ProcedureFactory(code="H0004", name="Behavioral health counseling")
    factories.RateFactory(procedure=procedure)
    clinician = factories.StaffFactory(agency=agency, first_name="Sam", last_name="Okoro")
    factories.LocationFactory(name="Main Clinic")
    admin = factories.UserFactory(username="harbor-admin", agency=agency)
    return {"program": program, "client": client, "clinician": clinician, "admin": admin}


def _sign_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile("Services Needing Attention"))


def _sheet(harbor, location: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "client_id",
            "program_code",
            "procedure_code",
            "clinician_id",
            "location",
            "start",
            "duration_minutes",
            "note_signed",
        ]
    )
    for day, place in ((2, "Main Clinic"), (3, location)):
        writer.writerow(
            [
                harbor["client"].pk,
                "HBH-MH",
                "H0004",
                harbor["clinician"].pk,
                place,
                f"2026-03-{day:02d} 10:00",
                "45",
                "Y",
            ]
        )
    return buffer.getvalue().encode()


def test_upload_see_errors_fix_import_and_see_verdicts(live_server, page, shot, harbor):
    _sign_in(page, live_server.url, harbor["admin"])
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page).to_have_title("Import · Billing Portal")
    page.get_by_label("File (.csv or .xlsx)").set_input_files(
        files=[{"name": "march.csv", "mimeType": "text/csv", "buffer": _sheet(harbor, "Mian Clinic")}]
    )
    page.get_by_role("button", name="Check only").click()
    expect(page.locator("#import-errors")).to_contain_text("Unknown location.")
    expect(page.locator("#import-counts")).to_contain_text("2 rows: 1 with problems, nothing written")
    shot("imports-01-errors")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").first.click()
    returned = download.value.path().read_text()
    assert returned.splitlines()[0].endswith(",Errors")
    assert Service.objects.filter(start__date__gte=dt.date(2026, 3, 1)).count() == 0

    page.get_by_role("link", name="Import another file").click()
    page.get_by_label("File (.csv or .xlsx)").set_input_files(
        files=[{"name": "march.csv", "mimeType": "text/csv", "buffer": _sheet(harbor, "Main Clinic")}]
    )
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Imported: 2 created, 0 updated")
    verdicts = page.locator("#import-verdicts")
    expect(verdicts.locator("tbody tr")).to_have_count(2)
    expect(verdicts).to_contain_text("Would complete")
    shot("imports-02-verdicts")
    page.get_by_role("link", name="Open the imported services in the Services list").click()
    expect(page).to_have_title(re.compile("Services"))
    assert Import.objects.filter(status="committed").count() == 1

    page.goto(f"{live_server.url}/imports/history/")
    expect(page.locator("#import-history")).to_contain_text("march.csv")


def test_batch_entry_with_copy_row(live_server, page, shot, harbor):
    _sign_in(page, live_server.url, harbor["admin"])
    page.goto(f"{live_server.url}/imports/batch/")
    page.get_by_label("Program", exact=True).select_option(label="HBH-MH Outpatient MH")
    page.get_by_role("button", name="Open the grid").click()
    first = page.locator("tr.batch-row").first
    first.get_by_label("Client").select_option(str(harbor["client"].pk))
    first.get_by_label("Procedure").select_option("H0004:")
    first.get_by_label("Clinician").select_option(str(harbor["clinician"].pk))
    first.get_by_label("Location").select_option("Main Clinic")
    first.get_by_label("Date and time").fill("2026-03-02T10:00")
    first.get_by_label("Minutes").fill("30")
    first.get_by_label("Note signed").select_option("Y")
    first.get_by_role("button", name="Copy row").click()
    second = page.locator("tr.batch-row").nth(1)
    expect(second.get_by_label("Minutes")).to_have_value("30")
    second.get_by_label("Date and time").fill("2026-03-03T10:00")
    # Keyboard: Ctrl+D in a row copies it below.
    second.get_by_label("Minutes").press("Control+d")
    third = page.locator("tr.batch-row").nth(2)
    expect(third.get_by_label("Date and time")).to_have_value("2026-03-03T10:00")
    third.get_by_label("Date and time").fill("2026-03-04T10:00")
    third.get_by_label("Minutes").fill("0")
    page.get_by_role("button", name="Save all").click()
    expect(page.locator("tr.batch-errors")).to_contain_text(
        "Row 3, duration_minutes: The duration must be a positive number of minutes."
    )
    assert Import.objects.get().status == "rejected"
    shot("imports-03-batch-errors")
    page.locator("tr.batch-row").nth(2).get_by_role("button", name="Clear").click()
    page.get_by_role("button", name="Save all").click()
    expect(page.locator(".alert-success")).to_contain_text("Imported: 2 created")
    expect(page.locator("#import-verdicts tbody tr")).to_have_count(2)
