"""Password rules: at least 8 characters, an uppercase letter and a number, plus Django's validators."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests import factories


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short1A", "password_too_short"),
        ("lowercase-only-2025", "password_needs_upper_and_digit"),
        ("No-Digits-Anywhere", "password_needs_upper_and_digit"),
        ("Password1", "password_too_common"),
        ("84736251", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_password(password)
    assert code in [error.code for error in raised.value.error_list]


@pytest.mark.django_db
def test_password_like_the_username_is_refused() -> None:
    user = factories.UserFactory(username="mgarcia2025", first_name="Maria", last_name="Garcia")
    with pytest.raises(ValidationError) as raised:
        validate_password("Mgarcia2025", user=user)
    assert "password_too_similar" in [error.code for error in raised.value.error_list]


@pytest.mark.parametrize("password", ["Demo-Pass-2025", "Billing9Portal", "Sunset4Harbor"])
def test_passwords_that_keep_the_rule_are_accepted(password: str) -> None:
    validate_password(password)
