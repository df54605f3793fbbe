from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def county_user():
    return factories.CountyUserFactory(username="county-test")


@pytest.fixture
def system_admin():
    return factories.SystemAdminFactory(username="sysadmin-test")
