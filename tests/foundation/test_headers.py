"""Response headers (issue 9, Low): a Content-Security-Policy with scripts and styles from the site
itself only, and `Cache-Control: no-store` on every page, export and API answer (client data), while
static files keep their caching. The templates carry nothing inline the policy would refuse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def assert_strict_policy(response) -> None:
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def no_store(response) -> bool:
    return "no-store" in [part.strip() for part in response.get("Cache-Control", "").split(",")]


@pytest.fixture
def browser(db) -> Client:
    agency = factories.AgencyFactory()
    program = factories.ProgramFactory(agency=agency)
    factories.ServiceFactory(program=program)
    browser = Client()
    browser.force_login(factories.UserFactory(agency=agency))
    return browser


@pytest.mark.parametrize(
    "url",
    ["/", "/services/", "/clients/", "/reports/service-errors/", "/login/", "/no-such-page/", "/api/docs/"],
)
def test_pages_have_the_policy_and_are_not_stored(browser, url):
    response = browser.get(url)
    assert response.status_code in {200, 302, 404}, url
    assert_strict_policy(response)
    assert no_store(response)


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_exports_are_not_stored(browser, export):
    response = browser.get(reverse("service-list"), {"export": export})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert no_store(response)


@pytest.mark.parametrize("url", ["/api/clients/", "/api/services/", "/api/reports/service-errors/?format=csv"])
def test_api_answers_are_not_stored(browser, url):
    response = browser.get(url)
    assert response.status_code == 200
    assert no_store(response)
    assert_strict_policy(response)


def test_api_answers_without_credentials_are_not_stored_either():
    response = Client().get("/api/clients/")
    assert response.status_code == 401
    assert no_store(response)


@pytest.mark.parametrize(
    "path", ["/static/css/portal.css", "/static/bootstrap/js/bootstrap.bundle.min.js", "/static/css/swagger.css"]
)
def test_static_files_keep_their_caching(path):
    response = Client().get(path)
    assert response.status_code == 200
    assert not no_store(response)
    assert "max-age" in response["Cache-Control"]


# What a Content-Security-Policy without 'unsafe-inline' refuses: an inline <script> (one without src,
# unless it only holds data), a <style> element, a style="..." attribute, an on...= event handler.
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle=[\"']", re.I),
    "event handler": re.compile(r"\son[a-z]+=[\"']", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


@pytest.mark.parametrize("path", sorted((ROOT / "templates").rglob("*.html")), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_hold_nothing_inline_the_policy_refuses(path):
    # Template comments may name what is not allowed.
    text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", path.read_text(), flags=re.S)
    for what, pattern in INLINE.items():
        assert not pattern.search(text), f"{path.relative_to(ROOT)}: {what}"
