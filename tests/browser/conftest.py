"""Browser tests: Playwright's sync API driving Debian's headless Chromium against `live_server`.

Playwright's sync API runs an event loop in the test thread, which makes Django refuse ORM calls
from it ("async context"); the tests call the ORM between page steps, so that check is lifted here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Browser, Page, sync_playwright

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def rule_catalogue(transactional_db: None) -> None:
    """The seeded rule catalogue and correction deadlines: a transactional test's database is flushed
    after each test, data migrations included, so they are seeded again the way their migrations do."""
    for migration in ("nightly.migrations.0003_seed_rule_catalogue", "reports.migrations.0002_seed_memo_deadlines"):
        import_module(migration).seed(django_apps, None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # A laptop screen.
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def shot(page: Page):
    """Save a screenshot of what the page shows now, as test-artifacts/screenshots/<name>.png: the whole
    page, or only the window with `full_page=False` (for pages many screens long)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
