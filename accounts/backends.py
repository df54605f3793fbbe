"""Model permissions that follow from a user's role, so no permission or group rows can drift from it.

`county_billing` keeps the county's reference data in the Django admin (procedures, limits, rates,
payers, the rule catalogue, correction deadlines: add, change, delete, view) and reads the nightly
runs and overrides there; clients, services and the rest stay out of its admin (the portal's pages
and the API serve them, scoped and access-logged). `system_admin` may do everything. Provider admin
staff work in the portal's pages only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import ValidationError

# User.username's max_length: no user can have a longer name.
USERNAME_MAX_LENGTH = 150

COUNTY_BILLING_EDITS = frozenset(
    {
        "services.procedure",
        "services.procedurelimit",
        "services.rate",
        "coverage.payer",
        "nightly.rule",
        "reports.correctiondeadline",
    }
)
COUNTY_BILLING_VIEWS = frozenset({"nightly.nightlyrun", "nightly.failureoverride"})


def role_allows(user: Any, perm: str) -> bool:
    """Whether `user`'s role grants a Django model permission such as "services.change_rate"."""
    if not (user.is_active and user.is_authenticated):
        return False
    if user.role == user.Role.SYSTEM_ADMIN:
        return True
    if user.role != user.Role.COUNTY_BILLING:
        return False
    app_label, _, codename = perm.partition(".")
    action, _, model = codename.partition("_")
    model_label = f"{app_label}.{model}"
    return model_label in COUNTY_BILLING_EDITS or (action == "view" and model_label in COUNTY_BILLING_VIEWS)


class RolePermissionBackend(BaseBackend):
    """Authenticates nobody (ModelBackend does); answers permission checks from the user's role."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return role_allows(user_obj, perm)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if not (user_obj.is_active and user_obj.is_authenticated):
            return False
        if user_obj.role == user_obj.Role.SYSTEM_ADMIN:
            return True
        labels = COUNTY_BILLING_EDITS | COUNTY_BILLING_VIEWS
        return user_obj.role == user_obj.Role.COUNTY_BILLING and any(
            label.startswith(f"{app_label}.") for label in labels
        )


class UsernameLengthBackend(BaseBackend):
    """Authenticates nobody; refuses a username longer than any user's before django-axes records it.

    Once every backend said no, axes writes the failed sign-in to its lockout table, whose username
    column holds 255 characters: a 100,000-character name was a database error (500) on the sign-in
    page and the token endpoint. This backend, after ModelBackend (which found no such user), raises
    instead; a ValidationError from `authenticate()` reaches the form's or the serializer's
    validation, so both answer with an error on `username` (a 400) and axes records nothing.
    """

    def authenticate(self, request: Any, username: Any = None, **kwargs: Any) -> None:
        if username is not None and len(str(username)) > USERNAME_MAX_LENGTH:
            raise ValidationError(
                {"username": [f"Ensure this field has no more than {USERNAME_MAX_LENGTH} characters."]},
                code="max_length",
            )
        return None
