"""Every page staff reach from the navigation, in Chromium at a laptop's 1366x768, as each role.

A small county (two agencies, a handful of clients, services that pass and services that fail for
different reasons) goes through the real nightly engine first. Each page is then checked the same way
(`check_page`): its title says what it is, it has one main heading, every visible form control has an
accessible name, nothing makes the page scroll sideways, and a full-page screenshot is saved to
test-artifacts/screenshots/page-<role>-<nn>-<name>.png. Each test also asserts what the page shows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts.models import AccessLog, User
from clients.models import Client
from diagnosis.models import DiagnosisDocument
from nightly.engine import run_validation
from nightly.models import FailureOverride, NightlyRun
from services.models import Service
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Shot = Callable[..., Path]

# Form controls a person fills in; hidden inputs and buttons are named by their text or not shown.
CONTROLS = (
    "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]),"
    " select, textarea"
)


# The focused element shows an outline at least 2px wide and lies inside the window.
FOCUS_RING = """() => {
  const el = document.activeElement, style = getComputedStyle(el), box = el.getBoundingClientRect();
  return el !== document.body && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
    && box.width > 1 && box.height > 1 && box.bottom > 0 && box.top < window.innerHeight;
}"""


# Dates as staff read them: an ISO date (2026-09-14) in a page's text is a date not yet in MM/DD/YYYY.
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Visible text only: form fields' values (native date pickers send ISO) are not text.
PAGE_TEXT = "() => document.body.innerText"
# The Content-Security-Policy allows no inline style or script: none in the page. (htmx leaves an empty
# style="" on elements it settles; an empty attribute styles nothing.)
INLINE = """() => ({
  styles: Array.from(document.querySelectorAll('[style]:not([style=""])')).map(e => e.outerHTML.slice(0, 160)),
  scripts: Array.from(document.querySelectorAll('script:not([src])')).length,
  handlers: Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
})"""
NARROW, WIDE = {"width": 800, "height": 900}, {"width": 1366, "height": 768}


def check_page(page: Page, shot: Shot, name: str, title: str) -> None:
    expect(page).to_have_title(f"{title} · Billing Portal")
    expect(page.locator("h1")).to_have_count(1)
    for control in page.locator(CONTROLS).filter(visible=True).all():
        try:
            expect(control).to_have_accessible_name(re.compile(r"\S"), timeout=1000)
        except AssertionError:
            raise AssertionError(f"{title}: no accessible name on {control.evaluate('e => e.outerHTML')}") from None
    text = page.evaluate(PAGE_TEXT)
    assert not ISO_DATE.findall(text), f"{title}: dates not in MM/DD/YYYY: {ISO_DATE.findall(text)}"
    inline = page.evaluate(INLINE)
    assert inline == {"styles": [], "scripts": 0, "handlers": 0}, f"{title}: inline style or script {inline}"
    # Readable on a laptop and in a half-screen window: wide tables scroll inside their own box, never
    # the whole page sideways.
    for size, suffix in ((WIDE, ""), (NARROW, "-800")):
        page.set_viewport_size(size)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{title}: the page scrolls {overflow}px sideways at {size['width']}px"
        shot(name + suffix)
    page.set_viewport_size(WIDE)


@pytest.fixture(autouse=True)
def no_script_errors(page: Page) -> Iterator[None]:
    """No page may throw: an uncaught script error anywhere fails the test."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    yield
    assert errors == []


def days_ago(days: int) -> dt.datetime:
    return factories.county_datetime(timezone.localdate() - dt.timedelta(days=days))


@pytest.fixture
def world() -> dict[str, Any]:
    """Harbor Behavioral Health (two programs) and Bay Clinic, validated by the real engine.

    Harbor: Sam Patel's three services complete; Maria Lopez (diagnosis not signed), James Chen (his
    coverage ended years ago), Lee Kim (coverage without a CIN) and Ana Torres (financial information
    not complete, a service 100 days old and so past its correction due date) fail. Bay Clinic: Omar
    Haddad completes, Rosa Diaz has no diagnosis in the program.
    """
    harbor = factories.AgencyFactory(name="Harbor Behavioral Health")
    mental_health = factories.ProgramFactory(agency=harbor, code="HBH-MH", name="Outpatient MH")
    substance_use = factories.ProgramFactory(agency=harbor, code="HBH-SUD", name="Outpatient SUD")
    bay = factories.AgencyFactory(name="Bay Clinic")
    bay_program = factories.ProgramFactory(agency=bay, code="BAY-MH", name="Bay Outpatient MH")
    therapy = factories.ProcedureFactory(code="90834", name="Psychotherapy, 45 minutes")
    case_management = factories.ProcedureFactory(code="T1017", name="Targeted case management")
    counselor = factories.StaffFactory(agency=harbor, first_name="Dana", last_name="Reyes", npi="1234567893")
    bay_counselor = factories.StaffFactory(agency=bay, first_name="Noor", last_name="Ali")
    office = factories.LocationFactory(name="Harbor Main Office")

    def service(client: Client, days: int, *, program=mental_health, procedure=therapy, clinician=counselor):
        return factories.billable_service(
            client=client,
            program=program,
            procedure=procedure,
            clinician=clinician,
            location=office,
            start=days_ago(days),
        )

    sam = factories.ClientFactory(first_name="Sam", last_name="Patel")
    complete = [
        service(sam, 20),
        service(sam, 12, procedure=case_management),
        service(sam, 9, program=substance_use, procedure=case_management),
    ]
    maria = factories.ClientFactory(first_name="Maria", last_name="Lopez")
    factories.DiagnosisDocumentFactory(client=maria, program=mental_health, signed=False, signed_at=None)
    james = factories.ClientFactory(first_name="James", last_name="Chen")
    factories.CoverageFactory(client=james, start_date=dt.date(2018, 1, 1), end_date=dt.date(2019, 12, 31))
    lee = factories.ClientFactory(first_name="Lee", last_name="Kim")
    factories.CoverageFactory(client=lee, insured_id="")
    ana = factories.ClientFactory(first_name="Ana", last_name="Torres", financial_info_complete=False)
    failing = {
        "DX_NOT_SIGNED": service(maria, 14),
        "NO_COVERAGE": service(james, 10),
        "INSURED_ID_MISSING": service(lee, 6),
        "FINANCIAL_INFO_INCOMPLETE": service(ana, 100),
    }
    omar = factories.ClientFactory(first_name="Omar", last_name="Haddad")
    service(omar, 15, program=bay_program, clinician=bay_counselor)
    rosa = factories.ClientFactory(first_name="Rosa", last_name="Diaz")
    failing["DX_NONE_IN_PROGRAM"] = service(rosa, 11, program=bay_program, clinician=bay_counselor)
    DiagnosisDocument.objects.filter(client=rosa).delete()

    run_validation(as_of=timezone.localdate())
    for code, failing_service in failing.items():
        assert [f.rule.code for f in failing_service.failures.all()] == [code]
    assert Service.objects.filter(status=Service.Status.COMPLETE).count() == 4
    return {
        "complete": complete,
        "failing": failing,
        "clients": {"sam": sam, "maria": maria, "rosa": rosa},
        "provider": factories.UserFactory(username="harbor-admin", agency=harbor, first_name="Pat", last_name="Admin"),
        "county": factories.CountyUserFactory(username="county-billing", first_name="Casey", last_name="County"),
        "sysadmin": factories.SystemAdminFactory(username="sysadmin"),
    }


def sign_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Services Needing Attention · Billing Portal")


def open_report(page: Page, name: str) -> None:
    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name=name).click()
    expect(page).to_have_title(f"{name} · Billing Portal")


def results(page: Page):
    return page.locator("#results tbody tr")


def test_provider_admin_reads_every_list_and_report(live_server, page, shot, world):
    failing = world["failing"]
    sign_in(page, live_server.url, world["provider"])
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Nightly runs")).to_have_count(0)

    expect(page.locator("#failing-total")).to_have_text("4")
    expect(page.locator("#by-reason + table")).to_contain_text("Billing Diagnosis Required: DX on file is not signed")
    # Oldest date of service first: Ana Torres's 100-day-old service leads the queue.
    expect(page.locator("a.oldest-service")).to_have_count(4)
    expect(page.locator("section[aria-labelledby=oldest] tbody tr").first).to_contain_text("Torres, Ana")
    check_page(page, shot, "page-provider-01-home", "Services Needing Attention")

    nav.get_by_role("link", name="Services", exact=True).click()
    expect(results(page)).to_have_count(7)
    check_page(page, shot, "page-provider-02-services", "Services")
    # Filters go through htmx: the results are replaced, the page is not reloaded, the URL follows.
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Status").select_option("complete")
    expect(results(page)).to_have_count(3)
    expect(page).to_have_url(re.compile(r"status=complete"))
    assert page.evaluate("window.notReloaded === true")
    page.get_by_label("Status").select_option("")
    page.get_by_label("Failing only").check()
    expect(results(page)).to_have_count(4)
    expect(results(page).first).to_contain_text("FINANCIAL_INFO_INCOMPLETE")
    page.locator("#results thead").get_by_role("link", name="Client").click()
    expect(page.locator("#results th[aria-sort=ascending]")).to_contain_text("Client")
    names = [row.split(",")[0] for row in results(page).locator("td:nth-child(3)").all_inner_texts()]
    assert names == ["Chen", "Kim", "Lopez", "Torres"]
    page.locator("#results thead").get_by_role("link", name=re.compile("^Client")).click()
    expect(page.locator("#results th[aria-sort=descending]")).to_contain_text("Client")
    expect(results(page).first).to_contain_text("Torres, Ana")
    # A filter changed after sorting keeps the sort.
    page.get_by_label("Program").select_option(label="HBH-MH Outpatient MH")
    expect(page).to_have_url(re.compile(r"program=\d+"))
    expect(page.locator("#results th[aria-sort=descending]")).to_contain_text("Client")
    names = [row.split(",")[0] for row in results(page).locator("td:nth-child(3)").all_inner_texts()]
    assert names == ["Torres", "Lopez", "Kim", "Chen"]
    assert page.evaluate("window.notReloaded === true")
    check_page(page, shot, "page-provider-03-services-failing-by-client", "Services")

    open_report(page, "COSD Service Error Report")
    expect(page.locator("#row-count")).to_have_text("4")
    overdue = page.locator("#results tr.overdue")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("Torres, Ana")
    expect(overdue).to_contain_text("Overdue")
    expect(page.locator("#results")).not_to_contain_text("override")  # county billing only
    check_page(page, shot, "page-provider-04-cosd-service-errors", "COSD Service Error Report")
    page.get_by_label("Overdue only").check()
    expect(page.locator("#row-count")).to_have_text("1")
    expect(page.locator("#results tbody")).to_contain_text(str(failing["FINANCIAL_INFO_INCOMPLETE"].client_id))
    check_page(page, shot, "page-provider-05-cosd-overdue", "COSD Service Error Report")

    open_report(page, "Services Diagnosis Error Report")
    expect(page.locator("#row-count")).to_have_text("1")
    expect(page.locator("#results tbody")).to_contain_text("Lopez, Maria")
    expect(page.locator("#results tbody")).to_contain_text("DX_NOT_SIGNED")
    check_page(page, shot, "page-provider-06-diagnosis-errors", "Services Diagnosis Error Report")

    open_report(page, "Program Coverage Report")
    # Open enrollments: Sam twice (MH and SUD), Maria, James, Lee, Ana.
    expect(page.locator("#row-count")).to_have_text("6")
    expect(page.locator("#results tr.flagged")).to_have_count(2)
    expect(page.locator("#results tr.flagged", has_text="Chen, James")).to_contain_text("No coverage")
    expect(page.locator("#results tr.flagged", has_text="Kim, Lee")).to_contain_text("Missing CIN")
    check_page(page, shot, "page-provider-07-program-coverage", "Program Coverage Report")

    nav.get_by_role("link", name="Clients").click()
    expect(page).to_have_title("Clients · Billing Portal")
    expect(page.locator("#client-results tbody tr")).to_have_count(5)
    page.get_by_label("Search by name or client id").fill("lopez")
    expect(page.locator("#client-results tbody tr")).to_have_count(1)
    expect(page.locator("#client-results")).to_contain_text("Lopez, Maria")
    # The search is POSTed by htmx: the name is not in the address bar (nor in any server log).
    assert "lopez" not in page.url.lower()
    check_page(page, shot, "page-provider-08-clients", "Clients")

    missing = page.goto(f"{live_server.url}/no-such-page/")
    assert missing is not None
    assert missing.status == 404
    check_page(page, shot, "page-provider-09-not-found", "Not found")
    page.get_by_role("link", name="Go to Services Needing Attention").click()
    expect(page).to_have_title("Services Needing Attention · Billing Portal")

    # Each report view is in the access log, with the filters used.
    logged = AccessLog.objects.filter(user=world["provider"], action=AccessLog.Action.VIEW_REPORT)
    assert {"report:services-needing-attention", "report:service-errors", "report:diagnosis-errors"} <= set(
        logged.values_list("target", flat=True)
    )
    assert logged.filter(target="report:service-errors", filters={"overdue": "on"}).exists()


def test_provider_admin_enters_and_corrects_records(live_server, page, shot, world):
    maria = world["clients"]["maria"]
    sam = world["clients"]["sam"]
    sign_in(page, live_server.url, world["provider"])

    page.get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="New client").click()
    check_page(page, shot, "page-provider-10-client-new", "New client")
    page.get_by_label("First name").fill("Maria")
    page.get_by_label("Last name").fill("Lopez")
    page.get_by_label("Date of birth").fill(maria.date_of_birth.isoformat())
    page.get_by_label("First program assignment").select_option(label="HBH-MH Outpatient MH")
    page.get_by_role("button", name="Check and create client").click()
    warning = page.locator("#duplicate-warning")
    expect(warning).to_contain_text("Possible duplicate client")
    expect(warning.get_by_role("link", name="Lopez, Maria")).to_have_attribute("href", f"/clients/{maria.pk}/")
    check_page(page, shot, "page-provider-11-client-duplicate-warning", "New client")
    page.get_by_role("button", name="Create anyway, this is a different person").click()
    created = Client.objects.order_by("-pk").first()
    assert created is not None
    assert created.pk != maria.pk
    expect(page).to_have_title(f"Client {created.pk} · Billing Portal")
    expect(page.get_by_role("status").first).to_contain_text(f"Client {created.pk} created.")

    page.goto(f"{live_server.url}/clients/{sam.pk}/")
    expect(page.locator("#services tbody tr")).to_have_count(3)
    expect(page.locator("#programs tbody tr")).to_have_count(2)
    expect(page.locator("#address-check")).to_contain_text("passes the billing address check")
    check_page(page, shot, "page-provider-12-client-record", f"Client {sam.pk}")

    page.get_by_role("link", name="Add service").first.click()
    check_page(page, shot, "page-provider-13-service-add", f"Add service · Client {sam.pk}")
    page.get_by_label("Program").select_option(label="HBH-MH Outpatient MH")
    page.get_by_label("Procedure").select_option(label="90834 Psychotherapy, 45 minutes")
    page.get_by_label("Clinician").select_option(label="Reyes, Dana (LPHA, NPI 1234567893)")
    page.get_by_label("Location").select_option(label="Harbor Main Office")
    page.get_by_label("Start (county time)").fill(f"{timezone.localdate() - dt.timedelta(days=1):%Y-%m-%d}T09:30")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Note signed").check()
    page.get_by_role("button", name="Add service").click()
    added = Service.objects.order_by("-pk").first()
    assert added is not None
    assert (added.client_id, added.status, added.duration_minutes) == (sam.pk, Service.Status.SHOW, 45)
    expect(page).to_have_title(f"Service {added.pk} · Billing Portal")
    expect(page.locator("#service-status")).to_have_text("Show")
    check_page(page, shot, "page-provider-14-service-added", f"Service {added.pk}")

    complete = world["complete"][0]
    page.goto(f"{live_server.url}/services/{complete.pk}/")
    expect(page.locator("#service-charge")).to_have_text("$100.00")
    check_page(page, shot, "page-provider-15-service-complete", f"Service {complete.pk}")
    page.get_by_role("link", name="Correct service").click()
    expect(page.locator("#complete-warning")).to_contain_text("back in Show")
    check_page(page, shot, "page-provider-16-service-correct", f"Correct service {complete.pk}")
    page.get_by_label("Duration (minutes)").fill("50")
    page.get_by_role("button", name="Save correction").click()
    expect(page).to_have_title(f"Service {complete.pk} · Billing Portal")
    expect(page.get_by_role("status").first).to_contain_text("It is back in Show")
    expect(page.locator("#service-status")).to_have_text("Show")
    expect(page.locator("#service-charge")).to_have_text("—")
    complete.refresh_from_db()
    assert (complete.status, complete.duration_minutes, complete.charge) == (Service.Status.SHOW, 50, None)

    failing = world["failing"]["DX_NOT_SIGNED"]
    page.goto(f"{live_server.url}/services/{failing.pk}/")
    expect(page.locator("#failure-reasons")).to_contain_text("DX on file is not signed")
    check_page(page, shot, "page-provider-17-service-failing", f"Service {failing.pk}")
    page.get_by_role("link", name="Mark in Error").click()
    expect(page.locator("#error-warning")).to_contain_text("its note is discarded")
    check_page(page, shot, "page-provider-18-service-mark-error", f"Mark service {failing.pk} in Error")
    page.get_by_label("I understand that the note of this service is discarded").check()
    page.get_by_role("button", name="Put in Error and discard the note").click()
    expect(page.locator("#service-status")).to_have_text("Error")
    # Not stale: the old reason and its fix are gone with the service's Show status.
    expect(page.locator("#failure-reasons")).to_have_count(0)
    expect(page.get_by_role("link", name="Open the client's diagnoses to sign")).to_have_count(0)
    check_page(page, shot, "page-provider-18b-service-in-error", f"Service {failing.pk}")
    failing.refresh_from_db()
    assert (failing.status, failing.note_signed) == (Service.Status.ERROR, False)

    page.get_by_role("button", name=re.compile("Signed in as")).click()
    page.get_by_role("link", name="Change password").click()
    check_page(page, shot, "page-provider-19-password-change", "Change password")
    page.get_by_label("Old password").fill(factories.PASSWORD)
    page.get_by_label("New password", exact=True).fill("Harbor-Queue-2026")
    page.get_by_label("New password confirmation").fill("Harbor-Queue-2026")
    page.get_by_role("button", name="Change password").click()
    check_page(page, shot, "page-provider-20-password-changed", "Password changed")
    world["provider"].refresh_from_db()
    assert world["provider"].check_password("Harbor-Queue-2026")


def test_county_billing_sees_every_agency_runs_the_night_and_overrides(live_server, page, shot, world):
    sign_in(page, live_server.url, world["county"])
    expect(page.locator("#failing-total")).to_have_text("5")
    expect(page.locator("#by-program + table")).to_contain_text("BAY-MH")
    check_page(page, shot, "page-county-01-home", "Services Needing Attention")

    page.get_by_role("link", name="Services", exact=True).click()
    expect(results(page)).to_have_count(9)
    page.get_by_label("Agency").select_option(label="Bay Clinic")
    expect(results(page)).to_have_count(2)
    check_page(page, shot, "page-county-02-services-bay-clinic", "Services")

    open_report(page, "COSD Service Error Report")
    expect(page.locator("#row-count")).to_have_text("5")
    check_page(page, shot, "page-county-03-cosd-service-errors", "COSD Service Error Report")
    open_report(page, "Services Diagnosis Error Report")
    expect(page.locator("#row-count")).to_have_text("2")
    expect(page.locator("#results tbody")).to_contain_text("Diaz, Rosa")
    expect(page.locator("#results tbody")).to_contain_text("DX_NONE_IN_PROGRAM")
    check_page(page, shot, "page-county-04-diagnosis-errors", "Services Diagnosis Error Report")
    open_report(page, "Program Coverage Report")
    expect(page.locator("#row-count")).to_have_text("8")
    check_page(page, shot, "page-county-05-program-coverage", "Program Coverage Report")

    # Overriding a reason: from the report's row to the form, and back to the service.
    missing_cin = world["failing"]["INSURED_ID_MISSING"]
    open_report(page, "COSD Service Error Report")
    page.locator("#results tr", has_text="Kim, Lee").get_by_role("link", name="override").click()
    check_page(page, shot, "page-county-06-override", "Override a failure reason")
    expect(page.get_by_label("Failure reason")).to_have_value("INSURED_ID_MISSING")
    page.get_by_label("Why this reason may pass").fill("CIN pending with the state; approved by county billing.")
    page.get_by_role("button", name="Save override").click()
    expect(page).to_have_title(f"Service {missing_cin.pk} · Billing Portal")
    expect(page.get_by_role("status").first).to_contain_text("INSURED_ID_MISSING will pass")
    assert FailureOverride.objects.filter(service=missing_cin, rule__code="INSURED_ID_MISSING").exists()

    # Tonight's run, started by hand: in tests no broker is configured, so it runs in-process.
    page.get_by_role("link", name="Nightly runs").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    check_page(page, shot, "page-county-07-nightly-runs", "Nightly runs")
    page.get_by_label("Run date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Start run").click()
    run = NightlyRun.objects.latest("pk")
    row = page.locator(f"#run-{run.pk}")
    expect(row).to_contain_text("Succeeded")
    # In-process (no broker) the run is over when the page comes back: "finished", not "started".
    expect(page.get_by_role("status").first).to_contain_text(
        f"Run {run.pk} for {timezone.localdate():%m/%d/%Y} finished"
    )
    # The override lets Lee Kim's service complete; the four other failing services still fail.
    expect(row.locator("td").nth(8)).to_have_text("4")
    expect(page.locator("tbody tr")).to_have_count(2)
    check_page(page, shot, "page-county-08-nightly-run-finished", "Nightly runs")
    missing_cin.refresh_from_db()
    assert missing_cin.status == Service.Status.COMPLETE
    page.get_by_role("link", name="Services Needing Attention").click()
    expect(page.locator("#failing-total")).to_have_text("4")


def test_system_admin_also_reaches_the_admin_and_the_api_docs(live_server, page, shot, world):
    sign_in(page, live_server.url, world["sysadmin"])
    expect(page.locator("#failing-total")).to_have_text("5")
    check_page(page, shot, "page-sysadmin-01-home", "Services Needing Attention")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Nightly runs").click()
    check_page(page, shot, "page-sysadmin-02-nightly-runs", "Nightly runs")

    nav.get_by_role("link", name="Admin").click()
    expect(page).to_have_title("Site administration | Billing Portal")
    expect(page.get_by_role("link", name="Correction deadlines")).to_be_visible()
    shot("page-sysadmin-03-admin")
    page.go_back()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="API docs").click()
    expect(page.locator(".swagger-ui .title")).to_contain_text("Billing Portal")
    shot("page-sysadmin-04-api-docs", full_page=False)  # every route: many screens long


def test_sign_in_page_and_not_found_page_signed_out(live_server, page, shot, world):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    check_page(page, shot, "page-signed-out-01-sign-in", "Sign in")
    page.get_by_label("Username").fill("harbor-admin")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    check_page(page, shot, "page-signed-out-02-sign-in-failed", "Sign in")
    missing = page.goto(f"{live_server.url}/no-such-page/")
    assert missing is not None
    assert missing.status == 404
    check_page(page, shot, "page-signed-out-03-not-found", "Not found")


def test_keyboard_only_sign_in_and_reach_the_services_list(live_server, page, shot, world):
    failing = world["failing"]

    def focused() -> dict[str, Any]:
        return page.evaluate("""() => {
          const el = document.activeElement;
          return {tag: el.tagName, id: el.id, text: el.innerText.trim()};
        }""")

    def tab_to(match: Callable[[dict[str, Any]], bool], limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            # Every stop on the way is on screen with the portal's focus ring (a 3px outline). Polled:
            # a date field's parts take focus a moment after the key press.
            try:
                page.wait_for_function(FOCUS_RING, timeout=2000)
            except PlaywrightTimeoutError:
                raise AssertionError(f"no visible focus on {focused()}") from None
            if match(focused()):
                return
        raise AssertionError(f"not reached with {limit} presses of Tab")

    page.goto(f"{live_server.url}/login/")
    assert focused()["id"] == "id_username"  # the sign-in form starts in its first field
    page.keyboard.type(world["provider"].username)
    tab_to(lambda f: f["id"] == "id_password")
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_title("Services Needing Attention · Billing Portal")

    # The first stop skips the navigation, and shows itself when focused.
    tab_to(lambda f: True)
    assert focused()["text"] == "Skip to main content"
    tab_to(lambda f: f["text"] == "Services")
    shot("page-keyboard-01-services-link-focused")
    page.keyboard.press("Enter")
    expect(page).to_have_title("Services · Billing Portal")
    expect(results(page)).to_have_count(7)

    # Filter and open the oldest failing service from the keyboard too.
    tab_to(lambda f: f["id"] == "id_failing")
    page.keyboard.press("Space")
    expect(results(page)).to_have_count(4)
    oldest = failing["FINANCIAL_INFO_INCOMPLETE"]
    tab_to(lambda f: f["tag"] == "A" and f["text"] == f"{oldest.date_of_service:%m/%d/%Y}", limit=60)
    shot("page-keyboard-02-oldest-failing-focused")
    page.keyboard.press("Enter")
    expect(page).to_have_title(f"Service {oldest.pk} · Billing Portal")
