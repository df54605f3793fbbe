"""Issue 14 in Chromium: the daily work of provider staff and county billing, one test per problem.

The same small county as test_every_page.py (its `world` fixture: two agencies, passing and failing
services validated by the real engine). Each test checks what the walkthrough found wrong is right now.
"""

# ruff: noqa: F811  (pytest fixtures imported from test_every_page are arguments by the same name)
from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from nightly.models import FailureOverride, NightlyRun
from reports.models import CorrectionDeadline
from services.models import Service
from tests.browser.test_every_page import (  # noqa: F401 (world is a fixture)
    check_page,
    no_script_errors,
    open_report,
    results,
    sign_in,
    world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def one_normal_page(page: Page, title: str) -> None:
    """A whole page of its own: its title, one navigation bar, no report filters around it."""
    expect(page).to_have_title(f"{title} · Billing Portal")
    expect(page.get_by_role("navigation", name="Main navigation")).to_have_count(1)
    expect(page.locator("#filters")).to_have_count(0)
    expect(page.locator("h1")).to_have_count(1)


def test_row_links_in_results_open_a_normal_page(live_server, page, shot, world):
    failing = world["failing"]
    sign_in(page, live_server.url, world["county"])

    # The main path: a "By reason" count opens the filtered list, a row's date opens the service.
    page.locator("[data-reason=NO_COVERAGE]").click()
    expect(page).to_have_title("Services · Billing Portal")
    # A filter changed through htmx first, so the rows are an htmx-swapped region.
    page.get_by_label("Status").select_option("show")
    expect(results(page)).to_have_count(1)
    service = failing["NO_COVERAGE"]
    results(page).get_by_role("link", name=f"{service.date_of_service:%m/%d/%Y}").click()
    one_normal_page(page, f"Service {service.pk}")
    expect(page).to_have_url(re.compile(rf"/services/{service.pk}/$"))
    shot("daily-01-service-from-list-row")

    open_report(page, "COSD Service Error Report")
    page.get_by_label("Overdue only").check()
    expect(page.locator("#row-count")).to_have_text("1")
    oldest = failing["FINANCIAL_INFO_INCOMPLETE"]
    results(page).get_by_role("link", name=f"{oldest.date_of_service:%m/%d/%Y}").click()
    one_normal_page(page, f"Service {oldest.pk}")

    # The Diagnosis Error and Program Coverage rows link to the client's record.
    open_report(page, "Services Diagnosis Error Report")
    page.get_by_label("Agency").select_option(label="Bay Clinic")
    expect(page.locator("#row-count")).to_have_text("1")
    results(page).get_by_role("link", name="Diaz, Rosa").click()
    one_normal_page(page, f"Client {world['clients']['rosa'].pk}")

    open_report(page, "Program Coverage Report")
    page.get_by_label("Flagged only").check()
    expect(page.locator("#row-count")).to_have_text("2")
    results(page).get_by_role("link", name="Chen, James").click()
    expect(page).to_have_title(re.compile(r"^Client \d+ · Billing Portal$"))
    expect(page.get_by_role("navigation", name="Main navigation")).to_have_count(1)


def test_form_errors_are_visible_and_summarised_for_the_keyboard(live_server, page, shot, world):
    maria = world["clients"]["maria"]
    sign_in(page, live_server.url, world["provider"])
    page.goto(f"{live_server.url}/clients/{maria.pk}/diagnoses/add/")
    page.get_by_role("button", name="Add diagnosis").click()
    # Two fields left empty: both messages are shown beside their fields and named in the summary.
    for field in ("program", "effective_date", "codes"):
        expect(page.locator(f"#id_{field}_error .invalid-feedback")).to_be_visible()
    summary = page.get_by_role("alert").filter(has_text="Please correct")
    expect(summary).to_contain_text("these 3 problems")
    expect(summary).to_contain_text("Effective date: This field is required.")
    expect(summary).to_be_focused()

    page.get_by_label("Program").select_option(label="HBH-MH Outpatient MH")
    page.get_by_label("Effective date").fill(f"{timezone.localdate() - dt.timedelta(days=30):%Y-%m-%d}")
    page.get_by_label("ICD-10-CM codes").fill("F32")
    page.get_by_role("button", name="Add diagnosis").click()
    # The action's message on the field, visible next to it (it used to be in the page but hidden).
    message = page.locator("#id_codes_error .invalid-feedback")
    expect(message).to_be_visible()
    expect(message).to_contain_text("F32 is a category header")
    # The summary at the top names the field, is an alert, and has the keyboard focus.
    summary = page.get_by_role("alert").filter(has_text="Please correct")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("ICD-10-CM codes: F32 is a category header")
    expect(summary).to_be_focused()
    check_page(page, shot, "daily-02-form-errors", f"Add a diagnosis · Client {maria.pk}")
    # From the summary, the keyboard reaches the field it names.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="ICD-10-CM codes")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("ICD-10-CM codes")).to_be_focused()

    # Search by description fills the code in.
    page.get_by_label("Find an ICD-10-CM code by description").fill("major depressive single episode unspecified")
    page.get_by_role("button", name=re.compile(r"^Add F32\.9 ")).click()
    expect(page.get_by_label("ICD-10-CM codes")).to_have_value("F32, F32.9")
    shot("daily-03-icd-search")


def test_service_page_is_current_after_mark_in_error_and_after_an_override(live_server, page, shot, world):
    failing = world["failing"]
    sign_in(page, live_server.url, world["county"])

    # An override: shown on the reason and in the history, and not offered again.
    missing_cin = failing["INSURED_ID_MISSING"]
    page.goto(f"{live_server.url}/services/{missing_cin.pk}/")
    page.get_by_role("link", name="Override this reason").click()
    page.get_by_label("Why this reason may pass").fill("CIN pending with the state.")
    page.get_by_role("button", name="Save override").click()
    expect(page).to_have_title(f"Service {missing_cin.pk} · Billing Portal")
    expect(page.locator("#failure-reasons .overridden")).to_contain_text("Overridden by Casey County")
    expect(page.locator("#overrides")).to_contain_text("INSURED_ID_MISSING")
    expect(page.locator("#overrides")).to_contain_text("CIN pending with the state.")
    expect(page.get_by_role("link", name="Override this reason")).to_have_count(0)
    history = page.locator("section[aria-labelledby=history-heading] tbody tr").first
    expect(history).to_contain_text("Casey County")
    expect(history).to_contain_text("INSURED_ID_MISSING may pass from the next run: CIN pending with the state.")
    check_page(page, shot, "daily-04-service-after-override", f"Service {missing_cin.pk}")
    # The report's override link for it leads back to the service instead of a second override.
    page.goto(f"{live_server.url}/nightly/overrides/add/?service={missing_cin.pk}&code=INSURED_ID_MISSING")
    expect(page).to_have_title(f"Service {missing_cin.pk} · Billing Portal")
    expect(page.get_by_role("status").first).to_contain_text("already overridden")
    assert FailureOverride.objects.filter(service=missing_cin).count() == 1


def test_select_rows_mark_them_in_error_all_at_once(live_server, page, shot, world):
    failing = world["failing"]
    sign_in(page, live_server.url, world["provider"])
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Services", exact=True).click()
    expect(page.locator("#row-count-label")).to_have_text("Services (7)")
    page.get_by_label("Failing only").check()
    expect(page.locator("#row-count-label")).to_have_text("Services (4)")
    chosen = [failing["NO_COVERAGE"], failing["INSURED_ID_MISSING"]]
    for service in chosen:
        page.get_by_label(re.compile(rf"^Select service {service.pk} ")).check()
    page.get_by_role("button", name="Mark selected in Error…").click()
    check_page(page, shot, "daily-05-bulk-mark-error", "Mark 2 services in Error")
    page.get_by_label("I understand that the note of this service is discarded").check()
    page.get_by_role("button", name="Put 2 in Error and discard their notes").click()
    expect(page).to_have_title("Services · Billing Portal")
    expect(page.get_by_role("status").first).to_contain_text("2 services put in Error")
    # Back on the same filtered list, which no longer holds them.
    expect(page.locator("#row-count-label")).to_have_text("Services (2)")
    assert {s.status for s in Service.objects.filter(pk__in=[s.pk for s in chosen])} == {Service.Status.ERROR}


def test_export_opened_with_openpyxl(live_server, page, world, tmp_path):
    sign_in(page, live_server.url, world["county"])
    open_report(page, "COSD Service Error Report")
    page.get_by_label("Agency").select_option(label="Harbor Behavioral Health")
    expect(page.locator("#row-count")).to_have_text("4")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export Excel").click()
    download = download_info.value
    today = timezone.localdate()
    assert download.suggested_filename == (
        f"cosd-service-error-report_harbor-behavioral-health_all-dates_exported-{today.isoformat()}.xlsx"
    )
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Service id", "Agency", "Program"]
    assert "Failure reasons (staff wording)" in header
    assert sheet.auto_filter.ref == sheet.dimensions == f"A1:{sheet.cell(1, len(header)).column_letter}5"
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert {row["Agency"] for row in rows} == {"Harbor Behavioral Health"}
    oldest = world["failing"]["FINANCIAL_INFO_INCOMPLETE"]
    first = rows[0]
    assert first["Service id"] == oldest.pk
    assert isinstance(first["Date of service"], dt.datetime)
    assert first["Date of service"].date() == oldest.date_of_service
    assert isinstance(first["Correction due"], dt.datetime)
    assert first["Failure reasons"] == "FINANCIAL_INFO_INCOMPLETE"
    assert first["Failure reasons (staff wording)"].startswith("Financial Information")
    widths = {title: sheet.column_dimensions[sheet.cell(1, i).column_letter].width for i, title in enumerate(header, 1)}
    assert widths["Failure reasons (staff wording)"] >= len(first["Failure reasons (staff wording)"])
    assert widths["Agency"] >= len("Harbor Behavioral Health")
    assert widths["Service id"] < widths["Agency"]


def test_entry_save_and_add_another_keeps_client_and_program(live_server, page, shot, world):
    maria = world["clients"]["maria"]
    sign_in(page, live_server.url, world["provider"])
    page.goto(f"{live_server.url}/clients/{maria.pk}/")
    # The client's name and id stay on screen while the record scrolls.
    page.mouse.wheel(0, 2000)
    header = page.locator("#record-header")
    expect(header).to_be_in_viewport()
    expect(header).to_contain_text(f"Client id {maria.pk}")
    page.get_by_role("link", name="Add service").first.click()
    # Maria has one program: it is chosen already. Note signed is not ticked (NOTE_SIGNED_DEFAULT off).
    expect(page.get_by_label("Program")).to_have_value(str(world["failing"]["DX_NOT_SIGNED"].program_id))
    expect(page.get_by_label("Note signed")).not_to_be_checked()
    # Clinicians with credential and NPI.
    expect(
        page.get_by_label("Clinician").locator("option", has_text="Reyes, Dana (LPHA, NPI 1234567893)")
    ).to_have_count(1)
    page.get_by_label("Procedure").select_option(label="90834 Psychotherapy, 45 minutes")
    page.get_by_label("Clinician").select_option(label="Reyes, Dana (LPHA, NPI 1234567893)")
    page.get_by_label("Location").select_option(label="Harbor Main Office")
    page.get_by_label("Start (county time)").fill(f"{timezone.localdate() - dt.timedelta(days=2):%Y-%m-%d}T10:00")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_role("button", name="Save and add another").click()
    expect(page).to_have_title(f"Add service · Client {maria.pk} · Billing Portal")
    expect(page.get_by_role("status").first).to_contain_text("Enter the next one")
    expect(page.get_by_label("Program")).to_have_value(str(world["failing"]["DX_NOT_SIGNED"].program_id))
    expect(page.get_by_label("Duration (minutes)")).to_have_value("")
    assert Service.objects.filter(client=maria, duration_minutes=45).count() == 1
    check_page(page, shot, "daily-06-add-another", f"Add service · Client {maria.pk}")


def test_validation_running_banner_then_finished(live_server, page, shot, world):
    run = NightlyRun.objects.create(
        as_of=timezone.localdate(), status=NightlyRun.Status.RUNNING, chunks_total=4, chunks_done=1
    )
    sign_in(page, live_server.url, world["provider"])
    banner = page.locator("#run-banner")
    expect(banner).to_contain_text("Validation running")
    expect(banner).to_contain_text("1 of 4 parts done")
    expect(banner.locator("progress")).to_have_attribute("value", "1")
    check_page(page, shot, "daily-07-run-banner", "Services Needing Attention")
    NightlyRun.objects.filter(pk=run.pk).update(chunks_done=3)
    expect(banner).to_contain_text("3 of 4 parts done", timeout=10_000)
    NightlyRun.objects.filter(pk=run.pk).update(chunks_done=4, status=NightlyRun.Status.SUCCEEDED)
    expect(banner).to_contain_text("Validation finished", timeout=10_000)
    expect(banner).not_to_contain_text("started")


def test_month_picker_and_agency_narrows_programs(live_server, page, world):
    sign_in(page, live_server.url, world["county"])
    page.get_by_role("link", name="Services", exact=True).click()
    expect(results(page)).to_have_count(9)
    programs = page.get_by_label("Program")
    expect(programs.locator("option:not([hidden])")).to_have_count(4)  # any + three programs
    page.get_by_label("Agency").select_option(label="Bay Clinic")
    expect(programs.locator("option:not([hidden])")).to_have_count(2)  # any + BAY-MH
    expect(results(page)).to_have_count(2)
    oldest = world["failing"]["FINANCIAL_INFO_INCOMPLETE"]
    page.get_by_label("Agency").select_option("")
    page.get_by_label("Month of service").fill(f"{oldest.date_of_service:%Y-%m}")
    page.get_by_label("Month of service").dispatch_event("change")
    expect(page).to_have_url(re.compile(rf"month={oldest.date_of_service:%Y-%m}"))
    expect(results(page).first).to_contain_text(f"{oldest.date_of_service:%m/%d/%Y}")


def test_county_keeps_the_correction_deadlines_on_a_page(live_server, page, shot, world):
    sign_in(page, live_server.url, world["county"])
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Deadlines").click()
    check_page(page, shot, "daily-08-deadlines", "Correction deadlines")
    page.get_by_role("link", name="Add a phase").click()
    page.get_by_label("Phase").fill("Phase 9: 2027")
    page.get_by_label("First month of service").fill("2027-01")
    page.get_by_label("Last month of service").fill("2027-03")
    page.get_by_label("Corrections due").fill("2027-03-15")
    page.get_by_role("button", name="Add phase").click()
    expect(page.get_by_role("alert").filter(has_text="Please correct")).to_contain_text("Corrections due")
    check_page(page, shot, "daily-09-deadline-error", "Add a correction deadline phase")
    page.get_by_label("Corrections due").fill("2027-06-30")
    page.get_by_role("button", name="Add phase").click()
    expect(page).to_have_title("Correction deadlines · Billing Portal")
    expect(page.locator("tbody")).to_contain_text("06/30/2027")
    assert CorrectionDeadline.objects.filter(label="Phase 9: 2027", due_date=dt.date(2027, 6, 30)).exists()


def test_provider_admin_has_no_deadline_page(live_server, page, world):
    sign_in(page, live_server.url, world["provider"])
    expect(page.get_by_role("link", name="Deadlines")).to_have_count(0)
    response = page.goto(f"{live_server.url}/reports/deadlines/")
    assert response is not None
    assert response.status == 403


def test_overdue_marks_only_rows_past_their_own_due_date(live_server, page, world):
    # A county phase gives Ana Torres's 100-day-old service's month a due date still ahead: her row is
    # no longer overdue; the others keep their default due dates.
    ana = world["failing"]["FINANCIAL_INFO_INCOMPLETE"]
    month = ana.date_of_service.replace(day=1)
    CorrectionDeadline.objects.create(
        label="Phase X: late corrections",
        month_from=month,
        month_to=month,
        due_date=timezone.localdate() + dt.timedelta(days=10),
    )
    sign_in(page, live_server.url, world["county"])
    open_report(page, "COSD Service Error Report")
    rows = page.locator("#results .table-responsive tbody tr")
    expect(rows).to_have_count(5)
    for index in range(5):
        row = rows.nth(index)
        due = dt.datetime.strptime(row.locator("td").nth(8).inner_text().split()[0], "%m/%d/%Y").date()
        overdue = due < timezone.localdate()
        assert ("overdue" in (row.get_attribute("class") or "")) is overdue
    expect(page.locator("#results tr.overdue")).to_have_count(0)
    # The deadline table holds only the phases of the months on screen: Phase X, none of the seeded
    # 2024-2025 memo's phases.
    deadlines = page.locator("section[aria-labelledby=deadlines] tbody tr")
    expect(deadlines).to_have_count(1)
    expect(deadlines).to_contain_text("Phase X: late corrections")
