"""Users: roles, agency membership, and the superuser that `createsuperuser` makes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_createsuperuser_noinput_makes_a_system_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Root-Pass-2025")
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.org", verbosity=0)
    user = User.objects.get(username="root")
    assert user.role == User.Role.SYSTEM_ADMIN
    assert user.agency is None
    assert user.is_superuser
    assert user.sees_all_agencies
    assert user.check_password("Root-Pass-2025")


def test_provider_admin_without_an_agency_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError, match="user_provider_admin_has_agency"), transaction.atomic():
        User.objects.create_user("orphan", password="Orphan-Pass-1", role=User.Role.PROVIDER_ADMIN)


@pytest.mark.parametrize(
    ("role", "sees_all", "edits_reference_data"),
    [
        (User.Role.PROVIDER_ADMIN, False, False),
        (User.Role.COUNTY_BILLING, True, True),
        (User.Role.SYSTEM_ADMIN, True, True),
    ],
)
def test_role_decides_what_a_user_sees_and_edits(role: str, sees_all: bool, edits_reference_data: bool) -> None:
    agency = factories.AgencyFactory() if role == User.Role.PROVIDER_ADMIN else None
    user = factories.UserFactory(role=role, agency=agency)
    assert user.sees_all_agencies is sees_all
    assert user.can_edit_reference_data is edits_reference_data
