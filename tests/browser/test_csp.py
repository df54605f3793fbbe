"""The Content-Security-Policy breaks nothing: every main page, in Chromium, loads and works with no
CSP violation in the console (no inline script, style, style attribute or event handler anywhere),
the API docs (Swagger UI) included."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from nightly.models import NightlyRun
from tests.browser.test_every_page import sign_in, world  # noqa: F401  (world is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page: Page) -> list[str]:
    """Every CSP violation the page reports: Chromium logs each as a console error, and fires a
    `securitypolicyviolation` event (recorded by a script Playwright injects outside the policy)."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"{page.url}: script error {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile))"
    )
    return found


def warm_up(page: Page, base: str) -> None:
    # The live server's first request imports every view; on a loaded machine that alone takes seconds.
    page.goto(f"{base}/login/", timeout=60_000)


def test_every_main_page_loads_with_no_csp_violation(live_server, page, world, violations):  # noqa: F811
    base = live_server.url
    failing = world["failing"]["DX_NOT_SIGNED"]
    client = world["clients"]["maria"]
    # A run in progress: its row carries the progress bar (a width class, not a style attribute).
    NightlyRun.objects.create(
        as_of=failing.start.date(), status=NightlyRun.Status.RUNNING, chunks_total=4, chunks_done=1
    )

    warm_up(page, base)
    sign_in(page, base, world["sysadmin"])
    pages: list[tuple[str, str]] = [
        ("/", "Services Needing Attention · Billing Portal"),
        ("/services/", "Services · Billing Portal"),
        (f"/services/{failing.pk}/", None),
        (f"/services/{failing.pk}/correct/", None),
        (f"/services/{failing.pk}/mark-error/", None),
        (f"/services/add/?client={client.pk}", None),
        ("/clients/", "Clients · Billing Portal"),
        ("/clients/add/", None),
        (f"/clients/{client.pk}/", None),
        (f"/clients/{client.pk}/edit/", None),
        ("/reports/service-errors/", "COSD Service Error Report · Billing Portal"),
        ("/reports/diagnosis-errors/", "Services Diagnosis Error Report · Billing Portal"),
        ("/reports/program-coverage/", "Program Coverage Report · Billing Portal"),
        ("/nightly/", "Nightly runs · Billing Portal"),
        (f"/nightly/overrides/add/?service={failing.pk}&code=DX_NOT_SIGNED", None),
        ("/password/change/", None),
        ("/no-such-page/", "Not found · Billing Portal"),
        ("/admin/", "Site administration | Billing Portal"),
    ]
    for path, title in pages:
        response = page.goto(f"{base}{path}")
        assert response is not None, path
        assert response.status in {200, 404}, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'"), path
        if title:
            expect(page).to_have_title(title)
        page.wait_for_load_state("networkidle")

    # The styled bits still show: the run's progress bar at 25%, the trend chart's width.
    page.goto(f"{base}/nightly/")
    bar = page.locator(".progress-bar").first
    assert bar.evaluate("e => e.getBoundingClientRect().width / e.parentElement.getBoundingClientRect().width") == (
        pytest.approx(0.25, abs=0.02)
    )
    # htmx (a filter without a reload) and Bootstrap (a dropdown) still work.
    page.goto(f"{base}/services/")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/services/\?"))
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Reports").click()
    expect(page.get_by_role("link", name="COSD Service Error Report")).to_be_visible()

    assert violations == []


def test_api_docs_work_under_the_policy(live_server, page, world, violations):  # noqa: F811
    warm_up(page, live_server.url)
    sign_in(page, live_server.url, world["sysadmin"])
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Billing Portal")
    # Open one operation: Swagger UI renders its parameters and responses without inline code.
    page.locator(".opblock-tag").first.click()
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_sign_in_page_signed_out_has_no_violation(live_server, page, violations, world: Any):  # noqa: F811
    warm_up(page, live_server.url)
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    assert violations == []
