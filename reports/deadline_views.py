"""The Correction deadlines page: county billing lists, adds, edits and deletes the phases.

Writes go through `reports.actions` (validated, audited); other roles get a 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import User
from clients.forms import add_action_errors, posted_data
from common.http import AuthenticatedRequest
from reports import actions
from reports.forms import DeadlineForm, DeleteDeadlineForm
from reports.models import CorrectionDeadline

Request = AuthenticatedRequest[User]


def _require(request: Request) -> None:
    if not actions.can_edit_deadlines(request.user):
        raise PermissionDenied("Only county billing keeps the correction deadlines.")


@login_required
def deadline_list(request: Request) -> HttpResponse:
    _require(request)
    return render(
        request,
        "reports/deadlines.html",
        {
            "deadlines": CorrectionDeadline.objects.order_by("month_from"),
            "default_days": settings.CORRECTION_DAYS_AFTER_MONTH,
        },
    )


def _form_page(request: Request, form: Any, *, title: str, submit: str) -> HttpResponse:
    return render(
        request,
        "reports/deadline_form.html",
        {"form": form, "page_title": title, "submit_label": submit},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def deadline_add(request: Request) -> HttpResponse:
    _require(request)
    form = DeadlineForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            deadline = actions.create_deadline(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"{deadline.label} added.")
            return redirect("deadline-list")
    return _form_page(request, form, title="Add a correction deadline phase", submit="Add phase")


@login_required
def deadline_edit(request: Request, pk: int) -> HttpResponse:
    _require(request)
    deadline = get_object_or_404(CorrectionDeadline, pk=pk)
    initial = {name: getattr(deadline, name) for name in DeadlineForm.base_fields}
    form = DeadlineForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_deadline(user=request.user, deadline=deadline, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"{deadline.label} saved.")
            return redirect("deadline-list")
    return _form_page(request, form, title=f"Edit {deadline.label}", submit="Save phase")


@login_required
def deadline_delete(request: Request, pk: int) -> HttpResponse:
    _require(request)
    deadline = get_object_or_404(CorrectionDeadline, pk=pk)
    form = DeleteDeadlineForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        actions.delete_deadline(user=request.user, deadline=deadline)
        messages.success(request, f"{deadline.label} deleted.")
        return redirect("deadline-list")
    return render(
        request,
        "reports/deadline_form.html",
        {"form": form, "page_title": f"Delete {deadline.label}", "submit_label": "Delete phase", "deadline": deadline},
        status=400 if request.method == "POST" else 200,
    )
