"""Token and session authentication; anonymous requests are refused."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db


def test_token_endpoint_returns_a_token_that_authenticates_requests(world_a):
    api = APIClient()
    response = api.post(
        "/api/auth/token/", {"username": world_a.admin.username, "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    listed = api.get("/api/clients/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [world_a.client.pk]


@pytest.mark.parametrize("body", [{"username": "admin-a", "password": "wrong"}, {"username": "admin-a"}, {}])
def test_token_endpoint_refuses_bad_credentials_with_400(world_a, body):
    response = APIClient().post("/api/auth/token/", body, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


@pytest.mark.parametrize(
    "route",
    ["/api/clients/", "/api/services/", "/api/agencies/", "/api/users/", "/api/diagnoses/", "/api/rates/"],
)
def test_anonymous_requests_answer_401_with_a_token_challenge(route):
    response = APIClient().get(route)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_answers_401():
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    assert api.get("/api/clients/").status_code == 401


def test_session_writes_need_the_csrf_token(world_a):
    api = APIClient(enforce_csrf_checks=True)
    api.get("/login/")  # the sign-in page sets the CSRF cookie
    csrf = api.cookies["csrftoken"].value
    api.force_login(world_a.admin)
    body = {"first_name": "Ana", "last_name": "Diaz", "date_of_birth": "1990-01-02"}

    assert api.get("/api/clients/").status_code == 200
    refused = api.post("/api/clients/", body, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    accepted = api.post("/api/clients/", body, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201


@pytest.mark.parametrize("cookie", ["nul\x00in-the-session-key", "UPPER-and-dashes-key", "short"])
def test_a_malformed_session_cookie_is_no_session_never_a_500(world_a, cookie):
    """PostgreSQL refuses a NUL character in a query: the session key is checked before any lookup."""
    api = APIClient()
    api.cookies["sessionid"] = cookie
    assert api.get("/api/clients/").status_code == 401
    assert api.get("/clients/").status_code == 302  # to the sign-in page
    token = api.post(
        "/api/auth/token/", {"username": world_a.admin.username, "password": factories.PASSWORD}, format="json"
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/clients/").status_code == 200


@pytest.mark.parametrize("who", ["as_a", "as_county", "as_admin"])
@pytest.mark.parametrize(
    ("method", "route"),
    [("delete", "/api/clients/{client}/"), ("delete", "/api/users/{user}/"), ("trace", "/api/agencies/")],
)
def test_a_method_the_route_lacks_answers_405_to_every_role(world_a, request, who, method, route):
    """Not a 403 for some roles: that would suggest another role could delete a client."""
    api = request.getfixturevalue(who)
    response = getattr(api, method)(route.format(client=world_a.client.pk, user=world_a.admin.pk))
    assert response.status_code == 405
    assert method.upper() not in response["Allow"]
