"""Input built to break the server answers 400, never 500 (issue 9, Low): a 100,000-character username,
JSON nested too deeply to parse, and `?page=` junk up to numbers beyond bigint."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

LONG_NAME = "a" * 100_000
# Far past Python's recursion limit: json.loads raises RecursionError on it.
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


# ---- a username longer than any user's -----------------------------------------------------------


def test_token_endpoint_answers_400_naming_username_for_a_100000_character_name(world_a):
    response = APIClient().post("/api/auth/token/", {"username": LONG_NAME, "password": "x"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["username"]
    assert LONG_NAME not in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_sign_in_page_answers_400_with_the_error_on_username_for_a_100000_character_name(world_a):
    response = Client().post(reverse("login"), {"username": LONG_NAME, "password": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors["username"] == ["Ensure this field has no more than 150 characters."]
    assert "_auth_user_id" not in Client().session
    assert not AccessAttempt.objects.exists()


def test_a_150_character_username_is_still_an_ordinary_failed_sign_in(world_a):
    response = Client().post(reverse("login"), {"username": "a" * 150, "password": "x"})
    assert response.status_code == 200  # the form again, counted by the lockout
    assert AccessAttempt.objects.get().failures_since_start == 1
    token = APIClient().post("/api/auth/token/", {"username": "a" * 150, "password": "x"}, format="json")
    assert token.status_code == 400
    assert "non_field_errors" in token.json()


def test_a_signed_in_user_with_an_ordinary_name_still_signs_in(world_a):
    response = Client().post(reverse("login"), {"username": world_a.admin.username, "password": factories.PASSWORD})
    assert response.status_code == 302


# ---- deeply nested JSON --------------------------------------------------------------------------


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("post", "/api/auth/token/"),
        ("post", "/api/clients/"),
        ("post", "/api/enrollments/"),
        ("patch", "/api/services/{service}/"),
        ("post", "/api/services/{service}/overrides/"),
        ("post", "/api/nightly-runs/"),
        ("post", "/api/procedures/"),
        ("post", "/api/users/"),
    ],
)
def test_deeply_nested_json_is_a_400_on_every_kind_of_route(world_a, system_admin, body, method, route):
    api = client_for(system_admin)
    url = route.format(service=world_a.service.pk)
    response = getattr(api, method)(url, body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert "nested too deeply" in response.json()["detail"]


# ---- ?page= --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["99999999999999999999999", "9223372036854775808", "1000000001", "0", "-1", "1.5", "abc", "²", "1e3"]
)
@pytest.mark.parametrize("route", ["/api/services/", "/api/clients/", "/api/reports/service-errors/", "/api/users/"])
def test_page_junk_is_a_400_naming_page(system_admin, world_a, route, page):
    response = client_for(system_admin).get(route, {"page": page})
    assert response.status_code == 400
    assert list(response.json()) == ["page"]


def test_a_well_formed_page_past_the_end_is_still_404_and_last_still_works(system_admin, world_a):
    api = client_for(system_admin)
    assert api.get("/api/services/", {"page": "1000000000"}).status_code == 404
    assert api.get("/api/services/", {"page": "last"}).status_code == 200
    assert api.get("/api/services/", {"page": "1"}).json()["count"] == 1


@pytest.mark.parametrize("page", ["99999999999999999999999", "0", "abc", "²"])
def test_services_list_page_answers_400_for_page_junk(world_a, page):
    browser = Client()
    browser.force_login(world_a.admin)
    response = browser.get(reverse("service-list"), {"page": page})
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.parametrize(
    "route",
    ["client-list", "report-service-errors", "report-diagnosis-errors", "report-program-coverage", "nightly-runs"],
)
def test_other_paginated_pages_take_any_page_without_a_500(county_user, route):
    browser = Client()
    browser.force_login(county_user)
    for page in ("99999999999999999999999", "abc", "²", "-1"):
        assert browser.get(reverse(route), {"page": page}).status_code == 200
