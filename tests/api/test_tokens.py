"""API tokens (API.md "Operations and sessions"): expiry idle and absolute, revocation on
DELETE, on signing out of the pages and on a password change; a token sign-in resets the lockout."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client as PageClient
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Pass-2026"


def sign_in(user, password: str = factories.PASSWORD) -> str:
    response = APIClient().post("/api/auth/token/", {"username": user.username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_only_a_digest_of_the_key_is_stored(world_a):
    token = sign_in(world_a.admin)
    stored = ApiToken.objects.get(user=world_a.admin)
    assert token not in stored.key_digest
    assert with_token(token).get("/api/clients/").status_code == 200


def test_a_token_idle_longer_than_the_limit_answers_401(world_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        token = sign_in(world_a.admin)
        api = with_token(token)
        clock.move_to(start + dt.timedelta(hours=7, minutes=59))
        assert api.get("/api/clients/").status_code == 200  # use refreshes the idle clock
        clock.move_to(start + dt.timedelta(hours=15, minutes=58))
        assert api.get("/api/clients/").status_code == 200
        clock.move_to(start + dt.timedelta(hours=23, minutes=58, seconds=30))
        response = api.get("/api/clients/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not ApiToken.objects.filter(user=world_a.admin).exists()


def test_a_token_used_all_day_ends_at_the_absolute_limit(world_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        api = with_token(sign_in(world_a.admin))
        for hours in range(2, 24, 2):
            clock.move_to(start + dt.timedelta(hours=hours))
            assert api.get("/api/clients/").status_code == 200, hours
        clock.move_to(start + dt.timedelta(hours=24, minutes=1))
        assert api.get("/api/clients/").status_code == 401


@override_settings(API_TOKEN_IDLE_SECONDS=60, API_TOKEN_MAX_AGE_SECONDS=3600)
def test_the_limits_are_settings(world_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        api = with_token(sign_in(world_a.admin))
        clock.move_to(start + dt.timedelta(seconds=59))
        assert api.get("/api/clients/").status_code == 200
        clock.move_to(start + dt.timedelta(seconds=121))
        assert api.get("/api/clients/").status_code == 401


def test_delete_revokes_the_token_sent_and_no_other(world_a):
    first, second = sign_in(world_a.admin), sign_in(world_a.admin)
    api = with_token(first)
    assert api.delete("/api/auth/token/").status_code == 204
    assert api.get("/api/clients/").status_code == 401
    assert api.delete("/api/auth/token/").status_code == 401
    assert with_token(second).get("/api/clients/").status_code == 200


def test_delete_without_a_token_answers_401():
    assert APIClient().delete("/api/auth/token/").status_code == 401


def test_signing_out_of_the_pages_revokes_the_users_tokens(world_a, world_b):
    token = sign_in(world_a.admin)
    other = sign_in(world_b.admin)
    browser = PageClient()
    assert (
        browser.post("/login/", {"username": world_a.admin.username, "password": factories.PASSWORD}).status_code == 302
    )
    assert browser.post("/logout/").status_code == 302
    assert with_token(token).get("/api/clients/").status_code == 401
    assert with_token(other).get("/api/clients/").status_code == 200


def test_a_password_change_on_the_page_revokes_the_users_tokens(world_a):
    token = sign_in(world_a.admin)
    browser = PageClient()
    browser.force_login(world_a.admin)
    changed = browser.post(
        "/password/change/",
        {"old_password": factories.PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert with_token(token).get("/api/clients/").status_code == 401
    assert with_token(sign_in(world_a.admin, NEW_PASSWORD)).get("/api/clients/").status_code == 200


def test_a_password_change_through_the_api_revokes_the_users_tokens(world_a, as_admin):
    token = sign_in(world_a.admin)
    renamed = as_admin.patch(f"/api/users/{world_a.admin.pk}/", {"first_name": "Ana"}, format="json")
    assert renamed.status_code == 200
    assert with_token(token).get("/api/clients/").status_code == 200  # no new password: token stays
    changed = as_admin.patch(f"/api/users/{world_a.admin.pk}/", {"password": NEW_PASSWORD}, format="json")
    assert changed.status_code == 200, changed.json()
    assert with_token(token).get("/api/clients/").status_code == 401


def test_a_token_sign_in_resets_the_failure_count(world_a):
    api = APIClient()
    for _ in range(4):
        wrong = api.post("/api/auth/token/", {"username": world_a.admin.username, "password": "wrong"}, format="json")
        assert wrong.status_code == 400
    assert AccessAttempt.objects.get(username=world_a.admin.username).failures_since_start == 4
    sign_in(world_a.admin)
    assert not AccessAttempt.objects.filter(username=world_a.admin.username).exists()
    # Four more failures do not lock: the count started again at zero.
    for _ in range(4):
        api.post("/api/auth/token/", {"username": world_a.admin.username, "password": "wrong"}, format="json")
    sign_in(world_a.admin)


def test_a_sign_in_removes_the_users_expired_tokens(world_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        sign_in(world_a.admin)
        clock.move_to(start + dt.timedelta(days=2))
        sign_in(world_a.admin)
    assert ApiToken.objects.filter(user=world_a.admin).count() == 1
