"""The Django admin: every domain model has a working list with search and filters."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

FOUNDATION_APPS = ("accounts", "clients", "coverage", "diagnosis", "services")
MODELS = [m for m in apps.get_models() if m._meta.app_label in FOUNDATION_APPS and not m.__name__.endswith("Event")]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_foundation_model_has_a_searchable_filterable_admin_list(model: type) -> None:
    model_admin = admin.site._registry.get(model)
    assert model_admin is not None, f"{model._meta.label} is not in the admin"
    assert len(model_admin.list_display) >= 2
    assert model_admin.search_fields
    assert model_admin.list_filter


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_list_answers_with_data_and_a_search(model: type) -> None:
    service = factories.billable_service()
    factories.AuthorizationFactory(client=service.client, procedure=service.procedure)
    factories.ProcedureLimitFactory(procedure=service.procedure)
    browser = Client()
    browser.force_login(factories.SystemAdminFactory())
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert browser.get(url, secure=True).status_code == 200
    assert browser.get(url, {"q": "1"}, secure=True).status_code == 200
