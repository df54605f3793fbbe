"""The request a signed-in page sees, typed, so views pass `request.user` to actions without casts.

`login_required` (or DRF's permission classes) guarantees the user is signed in; django-htmx's
middleware adds `request.htmx`. The user model is a type parameter because this library sits below
the accounts app: views write `AuthenticatedRequest[User]`.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

UserT = TypeVar("UserT", bound=AbstractBaseUser)


class AuthenticatedRequest(HttpRequest, Generic[UserT]):
    # Narrower than HttpRequest's `User | AnonymousUser`: login_required guarantees a signed-in user.
    user: UserT  # type: ignore[assignment]
    htmx: HtmxDetails
