"""The pages of one service (add, correct, mark in Error) and a client's authorizations (TARs).
The service detail page (reasons, fixes, history) composes several apps: pages/views.py.

Every fetch goes through `services_for_user` (agency scope: another agency's service is a 404);
every write through `services.actions`. A claimed service is shown locked, never offered a form.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import User
from clients.forms import add_action_errors, posted_data
from clients.selectors import get_client_for_user, programs_for_user, staff_for_user
from clients.views import form_page, record_url
from common.http import AuthenticatedRequest
from services import actions
from services.forms import AuthorizationForm, MarkErrorForm, ServiceCorrectionForm, ServiceForm
from services.models import Service
from services.selectors import scoped_authorization, services_for_user
from services.status import TransitionError

Request = AuthenticatedRequest[User]

CORRECTION_FIELDS = list(ServiceCorrectionForm.base_fields)


def _get_service(request: Request, pk: int) -> Service:
    return get_object_or_404(services_for_user(request.user), pk=pk)


def service_lock_reason(service: Service) -> str:
    if service.claimed:
        return "This service went out on a claim: it is locked and can no longer be corrected or put in Error."
    if service.status == Service.Status.ERROR:
        return "This service is in Error: it never bills and can no longer be corrected."
    return ""


def _entry_initial(request: Request, programs: Any) -> dict[str, Any]:
    """A new service's starting values: the program kept from "Save and add another" (`?program=`), or
    the client's only program; Note signed ticked only where the county says so (NOTE_SIGNED_DEFAULT)."""
    initial: dict[str, Any] = {"note_signed": settings.NOTE_SIGNED_DEFAULT}
    choices = list(programs.values_list("pk", flat=True)[:2])
    wanted = request.GET.get("program", "")
    if wanted.isdigit() and programs.filter(pk=int(wanted)).exists():
        initial["program"] = int(wanted)
    elif len(choices) == 1:
        initial["program"] = choices[0]
    return initial


@login_required
def service_add(request: Request) -> HttpResponse:
    """A new service for one client (`?client=<id>`); program and clinician from the user's agency."""
    client_id = request.GET.get("client") or request.POST.get("client") or ""
    if not client_id.isdigit():
        messages.info(request, "Open the client first, then add the service from the client record.")
        return redirect("client-list")
    client = get_client_for_user(request.user, int(client_id))
    programs = programs_for_user(request.user).filter(enrollments__client=client).distinct().order_by("code")
    clinicians = staff_for_user(request.user).order_by("last_name", "first_name")
    form = ServiceForm(
        posted_data(request), programs=programs, clinicians=clinicians, initial=_entry_initial(request, programs)
    )
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.create_service(user=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            if request.POST.get("then") == "another":
                # "Save and add another": a fresh form for the same client, in the same program.
                messages.success(request, f"Service {service.pk} added. Enter the next one.")
                query = urlencode({"client": client.pk, "program": service.program_id})
                return redirect(f"{reverse('service-add')}?{query}")
            messages.success(request, f"Service {service.pk} added. The next nightly run validates it.")
            return redirect("service-detail", pk=service.pk)
    return render(request, "services/service_add.html", {"form": form, "client": client})


@login_required
def service_correct(request: Request, pk: int) -> HttpResponse:
    service = _get_service(request, pk)
    locked_reason = service_lock_reason(service)
    if locked_reason:
        if request.method == "POST":
            messages.error(request, locked_reason)
            return redirect("service-detail", pk=service.pk)
        return render(request, "services/service_correct.html", {"service": service, "locked_reason": locked_reason})
    initial = {name: getattr(service, name) for name in CORRECTION_FIELDS}
    form = ServiceCorrectionForm(posted_data(request), initial=initial, program=service.program)
    if request.method == "POST" and form.is_valid():
        was_complete = service.status == Service.Status.COMPLETE
        changes = {name: value for name, value in form.cleaned_data.items() if name in form.changed_data}
        try:
            actions.correct_service(user=request.user, service=service, **changes)
        except actions.ServiceLocked as locked:
            messages.error(request, str(locked))
            return redirect("service-detail", pk=service.pk)
        except (ValidationError, TransitionError) as error:
            add_action_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        else:
            if not changes:
                messages.info(request, "Nothing was changed.")
            elif was_complete:
                messages.success(
                    request,
                    "Service corrected. It is back in Show: the next nightly run revalidates it and recomputes the charge.",
                )
            else:
                messages.success(request, "Service corrected. The next nightly run revalidates it.")
            return redirect("service-detail", pk=service.pk)
    return render(
        request,
        "services/service_correct.html",
        {"service": service, "form": form, "locked_reason": ""},
    )


@login_required
def service_mark_error(request: Request, pk: int) -> HttpResponse:
    service = _get_service(request, pk)
    locked_reason = service_lock_reason(service)
    form = MarkErrorForm(posted_data(request))
    if request.method == "POST":
        if locked_reason:
            messages.error(request, locked_reason)
            return redirect("service-detail", pk=service.pk)
        if form.is_valid():
            try:
                actions.mark_service_error(user=request.user, service=service)
            except actions.ServiceLocked as locked:
                messages.error(request, str(locked))
            except (ValidationError, TransitionError) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, "Service put in Error. Its note was discarded; it will never bill.")
            return redirect("service-detail", pk=service.pk)
    return render(
        request,
        "services/service_mark_error.html",
        {"service": service, "form": form, "locked_reason": locked_reason},
    )


@login_required
def authorization_edit(request: Request, pk: int, authorization_pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    authorization = scoped_authorization(request.user, client, authorization_pk)
    initial = {name: getattr(authorization, name) for name in AuthorizationForm.base_fields}
    form = AuthorizationForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_authorization(user=request.user, authorization=authorization, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Authorization saved.")
            return redirect(record_url(client, "authorizations"))
    return form_page(
        request,
        client=client,
        form=form,
        title="Edit authorization (TAR)",
        section="authorizations",
        submit="Save authorization",
    )


@login_required
def authorization_add(request: Request, pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    form = AuthorizationForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_authorization(user=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Authorization added.")
            return redirect(record_url(client, "authorizations"))
    return form_page(
        request,
        client=client,
        form=form,
        title="Add an authorization (TAR)",
        section="authorizations",
        submit="Add authorization",
    )
