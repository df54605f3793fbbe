"""API tokens that expire and can be revoked (API.md, "Operations and sessions").

DRF's TokenAuthentication with a model of our own (`accounts.models.ApiToken`) rather than a new
library: the whole difference is two dates on the token and three places that delete it.

Kept free of DRF's views (settings.py names the authentication class, which DRF imports while its
views load); the token view is `accounts.api.TokenView`.

* Sign-in (`POST /api/auth/token/`): a new token per sign-in, its key shown once; the sign-in is
  announced with Django's `user_logged_in` signal like the page sign-in, so django-axes resets the
  failure count and `last_login` is set.
* Expiry: idle longer than `API_TOKEN_IDLE_SECONDS` (default 8 hours) or older than
  `API_TOKEN_MAX_AGE_SECONDS` (default 24 hours) answers 401 and deletes the token.
* Revocation: `DELETE /api/auth/token/` (the token sent), signing out of the pages (every token of
  the user) and a password change (every token, `User.save`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken, User

# `last_used` is written at most this often, so a script's burst of calls is not a write per call.
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def idle_limit() -> dt.timedelta:
    return dt.timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS)


def age_limit() -> dt.timedelta:
    return dt.timedelta(seconds=settings.API_TOKEN_MAX_AGE_SECONDS)


def expired(now: dt.datetime) -> Q:
    return Q(last_used__lt=now - idle_limit()) | Q(created__lt=now - age_limit())


def issue_token(user: User) -> str:
    """A new token for `user`; returns the key (only its digest is kept). The user's expired tokens
    are removed on the way, so a script that signs in for every call does not pile them up."""
    now = timezone.now()
    ApiToken.objects.filter(user=user).filter(expired(now)).delete()
    key = secrets.token_hex(20)
    ApiToken.objects.create(user=user, key_digest=digest(key), created=now, last_used=now)
    return key


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; an unknown, expired or revoked key answers 401."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        try:
            token = ApiToken.objects.select_related("user").get(key_digest=digest(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        now = timezone.now()
        if token.last_used < now - idle_limit() or token.created < now - age_limit():
            token.delete()
            raise exceptions.AuthenticationFailed("The token has expired: sign in again.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if now - token.last_used >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token


@receiver(user_logged_out)
def revoke_tokens_on_sign_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    """Signing out of the pages ends the user's API tokens too: "sign out" means everywhere."""
    if user is not None and user.pk is not None:
        ApiToken.objects.filter(user=user).delete()
