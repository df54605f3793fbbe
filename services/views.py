"""The pages of one service: detail (reasons, hints, fixes, history), add, correct, mark in Error.

Every fetch goes through `services_for_user` (agency scope: another agency's service is a 404);
every write through `services.actions`. A claimed service is shown locked, never offered a form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from clients import record
from clients.forms import add_action_errors, posted_data
from clients.selectors import programs_for_user, staff_for_user

# Tonight's verdict is the engine's (a layer above services): this page composes both and moves to
# the pages layer with the layers work.
from nightly.verdict import check_services
from services import actions
from services.forms import MarkErrorForm, ServiceCorrectionForm, ServiceForm
from services.history import service_history
from services.models import Service
from services.resolution import fix_for, reference_data_note
from services.selectors import services_for_user
from services.status import TransitionError

CORRECTION_FIELDS = list(ServiceCorrectionForm.base_fields)


def _get_service(request: HttpRequest, pk: int) -> Service:
    return get_object_or_404(services_for_user(request.user), pk=pk)


def _locked_reason(service: Service) -> str:
    if service.claimed:
        return "This service went out on a claim: it is locked and can no longer be corrected or put in Error."
    if service.status == Service.Status.ERROR:
        return "This service is in Error: it never bills and can no longer be corrected."
    return ""


def _override_url(service: Service) -> str:
    """The reports engineer's override form (nightly pages), when it is mounted."""
    try:
        return reverse("nightly-override-add") + f"?service={service.pk}"
    except NoReverseMatch:
        return ""


@login_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = _get_service(request, pk)
    reasons = [
        {
            "failure": failure,
            "fix": fix_for(failure.rule.code, service),
            "note": reference_data_note(failure.rule.code),
        }
        for failure in service.failures.all()
        # Last night's reasons no longer apply once the service left Show for Error, Cancel...
        if service.status in (Service.Status.SHOW, Service.Status.COMPLETE)
    ]
    user: Any = request.user
    # What tonight's run would decide, now: shown after every save (the saves redirect here).
    verdict = check_services(service_ids=[service.pk], as_of=timezone.localdate()).get(service.pk)
    return render(
        request,
        "services/service_detail.html",
        {
            "service": service,
            "verdict": verdict,
            "overrides": service.overrides.select_related("rule", "created_by"),
            "reasons": reasons,
            "history": service_history(service),
            "locked_reason": _locked_reason(service),
            "override_url": _override_url(service) if user.is_county or user.is_system_admin else "",
        },
    )


@login_required
def service_add(request: HttpRequest) -> HttpResponse:
    """A new service for one client (`?client=<id>`); program and clinician from the user's agency."""
    client_id = request.GET.get("client") or request.POST.get("client") or ""
    if not client_id.isdigit():
        messages.info(request, "Open the client first, then add the service from the client record.")
        return redirect("client-list")
    client = record.get_client_for_user(request.user, int(client_id))  # type: ignore[arg-type]
    programs = programs_for_user(request.user).filter(enrollments__client=client).distinct().order_by("code")
    clinicians = staff_for_user(request.user).order_by("last_name", "first_name")
    form = ServiceForm(posted_data(request), programs=programs, clinicians=clinicians)
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.create_service(user=request.user, client=client, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Service {service.pk} added. The next nightly run validates it.")
            return redirect("service-detail", pk=service.pk)
    return render(request, "services/service_add.html", {"form": form, "client": client})


@login_required
def service_correct(request: HttpRequest, pk: int) -> HttpResponse:
    service = _get_service(request, pk)
    locked_reason = _locked_reason(service)
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
            actions.correct_service(user=request.user, service=service, **changes)  # type: ignore[arg-type]
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
def service_mark_error(request: HttpRequest, pk: int) -> HttpResponse:
    service = _get_service(request, pk)
    locked_reason = _locked_reason(service)
    form = MarkErrorForm(posted_data(request))
    if request.method == "POST":
        if locked_reason:
            messages.error(request, locked_reason)
            return redirect("service-detail", pk=service.pk)
        if form.is_valid():
            try:
                actions.mark_service_error(user=request.user, service=service)  # type: ignore[arg-type]
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
