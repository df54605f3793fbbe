"""The coverage pages of a client (add, edit), opened from the client record's coverage section.

Reads through the scoped selectors, writes through `coverage.actions`; an action's ValidationError
is shown on the field it names. The URLs stay under /clients/<pk>/ (coverage/urls.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from accounts.models import User
from clients.forms import add_action_errors, posted_data
from clients.selectors import get_client_for_user
from clients.views import form_page, record_url
from common.http import AuthenticatedRequest
from coverage import actions as coverage_actions
from coverage.forms import CoverageForm
from coverage.selectors import scoped_coverage

Request = AuthenticatedRequest[User]


@login_required
def coverage_add(request: Request, pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    form = CoverageForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            coverage_actions.create_coverage(user=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Coverage added.")
            return redirect(record_url(client, "coverage"))
    return form_page(request, client=client, form=form, title="Add coverage", section="coverage", submit="Add coverage")


@login_required
def coverage_edit(request: Request, pk: int, coverage_pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    coverage = scoped_coverage(request.user, client, coverage_pk)
    initial = {name: getattr(coverage, name) for name in CoverageForm.base_fields}
    form = CoverageForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            coverage_actions.update_coverage(user=request.user, coverage=coverage, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Coverage saved.")
            return redirect(record_url(client, "coverage"))
    return form_page(
        request, client=client, form=form, title="Edit coverage", section="coverage", submit="Save coverage"
    )
