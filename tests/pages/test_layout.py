from __future__ import annotations

import pytest
from django.test import Client as BrowserClient
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("factory", "visible", "hidden"),
    [
        (
            factories.UserFactory,
            ["Services Needing Attention", "Clients", "Reports"],
            ["Nightly runs", "/admin/", "API docs"],
        ),
        (factories.CountyUserFactory, ["Services Needing Attention", "Nightly runs", "/admin/"], ["API docs"]),
        (factories.SystemAdminFactory, ["Nightly runs", "/admin/", "API docs"], []),
    ],
)
def test_navigation_follows_the_role(factory, visible, hidden):
    browser = BrowserClient()
    browser.force_login(factory())

    body = browser.get(reverse("client-list")).content.decode()
    nav = body[body.index("<nav") : body.index("</nav>")]

    assert all(item in nav for item in visible)
    assert not any(item in nav for item in hidden)


def test_layout_names_the_page_the_user_and_agency_and_offers_a_skip_link(provider_client, provider):
    body = provider_client.get(reverse("client-list")).content.decode()

    assert "<title>Clients · Billing Portal</title>" in body
    assert 'href="#content"' in body
    assert provider.username in body
    assert provider.agency.name in body
    assert "/static/bootstrap/css/bootstrap.min.css" in body
    assert "/static/django_htmx/htmx.min.js" in body
    assert "https://" not in body


def test_pages_need_a_signed_in_user():
    response = BrowserClient().get(reverse("client-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_page_shows_the_password_rule_and_signs_in():
    user = factories.UserFactory(username="signin-test")
    browser = BrowserClient()

    page = browser.get(reverse("login")).content.decode()
    response = browser.post(reverse("login"), {"username": "signin-test", "password": factories.PASSWORD})

    assert "at least 8 characters, with at least one uppercase letter and one number" in page
    assert response.status_code == 302
    assert int(browser.session["_auth_user_id"]) == user.pk


def test_sign_out_is_a_post():
    user = factories.UserFactory()
    browser = BrowserClient()
    browser.force_login(user)

    response = browser.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in browser.session


@pytest.mark.parametrize(
    ("new_password", "accepted"),
    [("lowercase-only1", False), ("NoDigitsHere", False), ("Sh0rt", False), ("Harbor-Gate-42", True)],
)
def test_password_change_applies_the_password_rule(provider_client, provider, new_password, accepted):
    url = reverse("password_change")

    page = provider_client.get(url).content.decode()
    response = provider_client.post(
        url, {"old_password": factories.PASSWORD, "new_password1": new_password, "new_password2": new_password}
    )

    provider.refresh_from_db()
    assert "at least 8 characters, with at least one uppercase letter and one number" in page
    assert provider.check_password(new_password) is accepted
    assert response.status_code == (302 if accepted else 200)
