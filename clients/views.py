"""Client pages: list and search, new client with the duplicate check, and the client record.

Views are thin: reads through `clients.record` (scoped, fixed query count), writes through the
actions; an action's ValidationError is shown on the field it names. Another agency's client is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access_log import record_access
from accounts.models import AccessLog
from clients import actions as client_actions
from clients import record
from clients.forms import (
    AccountForm,
    AuthorizationForm,
    ClientCreateForm,
    ClientInformationForm,
    ClientSearchForm,
    CoverageForm,
    DiagnosisEditForm,
    DiagnosisForm,
    EnrollmentForm,
    EnrollmentStatusForm,
    add_action_errors,
    posted_data,
)
from clients.models import Client, Enrollment
from clients.selectors import possible_duplicate_clients, programs_for_user
from coverage import actions as coverage_actions
from diagnosis import actions as diagnosis_actions

# Tonight's verdict is the engine's (a layer above clients): the client record composes both and
# moves to the pages layer with the layers work.
from nightly.verdict import check_client
from services import actions as service_actions

CLIENTS_PER_PAGE = 50


def _record_url(client: Client | int, section: str = "") -> str:
    pk = client if isinstance(client, int) else client.pk
    url = reverse("client-detail", kwargs={"pk": pk})
    return f"{url}#{section}" if section else url


def _form_page(
    request: HttpRequest, *, client: Client, form: Any, title: str, section: str, submit: str, intro: str = ""
) -> HttpResponse:
    return render(
        request,
        "clients/form.html",
        {
            "client": client,
            "form": form,
            "page_title": title,
            "cancel_url": _record_url(client, section),
            "submit_label": submit,
            "intro": intro,
        },
    )


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    form = ClientSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    clients = record.search_clients(request.user, query)  # type: ignore[arg-type]
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query}
    # htmx asks for the results only while the user types.
    template = "clients/_client_results.html" if request.htmx else "clients/client_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def client_add(request: HttpRequest) -> HttpResponse:
    """New client. Same name and date of birth, or same SSN, as a client on file asks for an explicit
    "create anyway". Decision: only duplicates the user may see are listed (no other agency's PHI);
    those elsewhere are counted so staff know to ask county billing before creating a second record.
    """
    user = request.user
    programs = programs_for_user(user).order_by("code")
    form = ClientCreateForm(
        posted_data(request),
        programs=programs,
        program_required=not user.sees_all_agencies,  # type: ignore[union-attr]
    )
    duplicates: list[Client] = []
    duplicates_elsewhere = 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        match = {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "date_of_birth": data["date_of_birth"],
            "ssn": data["ssn"],
        }
        duplicates = list(possible_duplicate_clients(**match, user=user))
        duplicates_elsewhere = possible_duplicate_clients(**match).count() - len(duplicates)
        if (duplicates or duplicates_elsewhere) and request.POST.get("create_anyway") != "yes":
            return render(
                request,
                "clients/client_add.html",
                {"form": form, "duplicates": duplicates, "duplicates_elsewhere": duplicates_elsewhere},
            )
        try:
            client = _create_client(user, data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Client {client.pk} created.")
            return redirect(_record_url(client))
    return render(request, "clients/client_add.html", {"form": form, "duplicates": [], "duplicates_elsewhere": 0})


def _create_client(user: Any, data: dict[str, Any]) -> Client:
    # The client and its first program assignment together: without the enrollment a provider
    # admin's new client would be outside their own agency's scope.
    with transaction.atomic():
        client = client_actions.create_client(
            user=user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            ssn=data["ssn"],
            address_street=data["address_street"],
            address_city=data["address_city"],
            address_state=data["address_state"],
            address_zip=data["address_zip"],
            billing_address=data["billing_address"],
            financial_info_complete=data["financial_info_complete"],
        )
        if data.get("program"):
            client_actions.create_enrollment(
                user=user,
                client=client,
                program=data["program"],
                status=Enrollment.Status.REQUESTED,
                requested_date=data["requested_date"],
            )
    return client


@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client_record = record.client_record(request.user, pk)  # type: ignore[arg-type]
    record_access(user=request.user, action=AccessLog.Action.VIEW_CLIENT, target=f"client:{pk}")  # type: ignore[arg-type]
    client = client_record.client
    # Tonight's verdict of the client's services, now (one engine call): every save of the record,
    # coverage, diagnoses, authorizations or a service comes back here and shows its effect.
    verdicts = check_client(client_id=client.pk, as_of=timezone.localdate())
    for service in client_record.services:
        service.verdict = verdicts.get(service.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "clients/client_detail.html",
        {
            "record": client_record,
            "client": client,
            "account_form": AccountForm(initial={"financial_info_complete": client.financial_info_complete}),
            "status_choices": Enrollment.Status,
            "today": timezone.localdate(),
        },
    )


@login_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    initial = {name: getattr(client, name) for name in ClientInformationForm.base_fields if name != "ssn"}
    form = ClientInformationForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if not fields["ssn"]:
            # Blank keeps the SSN on file: it is never sent back to the browser to be re-typed.
            fields.pop("ssn")
        try:
            client_actions.update_client(user=request.user, client=client, **fields)  # type: ignore[arg-type]
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Client information saved.")
            return redirect(_record_url(client, "information"))
    intro = f"SSN on file: {client.ssn_masked}. Leave SSN blank to keep it." if client.ssn_last4 else ""
    return _form_page(
        request,
        client=client,
        form=form,
        title="Edit client information",
        section="information",
        submit="Save information",
        intro=intro,
    )


@login_required
@require_POST
def client_account(request: HttpRequest, pk: int) -> HttpResponse:
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    form = AccountForm(request.POST)
    if form.is_valid():
        client_actions.update_client(
            user=request.user,  # type: ignore[arg-type]
            client=client,
            financial_info_complete=form.cleaned_data["financial_info_complete"],
        )
        messages.success(request, "Client account saved.")
    return redirect(_record_url(client, "account"))


@login_required
def enrollment_add(request: HttpRequest, pk: int) -> HttpResponse:
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    form = EnrollmentForm(posted_data(request), programs=programs_for_user(request.user).order_by("code"))
    if request.method == "POST" and form.is_valid():
        try:
            client_actions.create_enrollment(
                user=request.user,  # type: ignore[arg-type]
                client=client,
                program=form.cleaned_data["program"],
                status=Enrollment.Status.REQUESTED,
                requested_date=form.cleaned_data["requested_date"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Program assignment requested.")
            return redirect(_record_url(client, "programs"))
    return _form_page(
        request, client=client, form=form, title="Request a program assignment", section="programs", submit="Request"
    )


@login_required
@require_POST
def enrollment_status(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    enrollment = record.scoped_enrollment(request.user, client, enrollment_pk)  # type: ignore[arg-type]
    form = EnrollmentStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose enroll or discharge and a date.")
        return redirect(_record_url(client, "programs"))
    try:
        client_actions.change_enrollment_status(
            user=request.user,  # type: ignore[arg-type]
            enrollment=enrollment,
            status=form.cleaned_data["status"],
            on_date=form.cleaned_data["on_date"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Program assignment {enrollment.get_status_display().lower()}.")
    return redirect(_record_url(client, "programs"))


@login_required
def coverage_add(request: HttpRequest, pk: int) -> HttpResponse:
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    form = CoverageForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            coverage_actions.create_coverage(user=request.user, client=client, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Coverage added.")
            return redirect(_record_url(client, "coverage"))
    return _form_page(
        request, client=client, form=form, title="Add coverage", section="coverage", submit="Add coverage"
    )


@login_required
def coverage_edit(request: HttpRequest, pk: int, coverage_pk: int) -> HttpResponse:
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    coverage = record.scoped_coverage(request.user, client, coverage_pk)  # type: ignore[arg-type]
    initial = {name: getattr(coverage, name) for name in CoverageForm.base_fields}
    form = CoverageForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            coverage_actions.update_coverage(user=request.user, coverage=coverage, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Coverage saved.")
            return redirect(_record_url(client, "coverage"))
    return _form_page(
        request, client=client, form=form, title="Edit coverage", section="coverage", submit="Save coverage"
    )


@login_required
def diagnosis_add(request: HttpRequest, pk: int) -> HttpResponse:
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    programs = programs_for_user(request.user).filter(enrollments__client=client).distinct().order_by("code")
    initial = {"program": request.GET.get("program")} if request.GET.get("program") else None
    form = DiagnosisForm(posted_data(request), programs=programs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            diagnosis_actions.create_diagnosis(user=request.user, client=client, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Diagnosis added.")
            return redirect(_record_url(client, "diagnoses"))
    return _form_page(
        request,
        client=client,
        form=form,
        title="Add a diagnosis",
        section="diagnoses",
        submit="Add diagnosis",
        intro="A diagnosis is entered in the program of the services it supports.",
    )


@login_required
def diagnosis_edit(request: HttpRequest, pk: int, diagnosis_pk: int) -> HttpResponse:
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    document = record.scoped_diagnosis(request.user, client, diagnosis_pk)  # type: ignore[arg-type]
    programs = programs_for_user(request.user).filter(enrollments__client=client).distinct().order_by("code")
    initial = {
        "program": document.program_id,
        "effective_date": document.effective_date,
        "end_date": document.end_date,
        "codes": ", ".join(code.code for code in document.codes.order_by("billing_order")),
    }
    form = DiagnosisEditForm(posted_data(request), programs=programs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            diagnosis_actions.update_diagnosis(user=request.user, document=document, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Diagnosis saved. The next nightly run revalidates the services it covers.")
            return redirect(_record_url(client, "diagnoses"))
    return _form_page(
        request,
        client=client,
        form=form,
        title="Edit diagnosis",
        section="diagnoses",
        submit="Save diagnosis",
        intro="Change the effective span or the codes (billing order). A signed diagnosis stays signed.",
    )


@login_required
@require_POST
def diagnosis_sign(request: HttpRequest, pk: int, diagnosis_pk: int) -> HttpResponse:
    """Sign a diagnosis. Through htmx the answer is the diagnosis's row only (signed, with a note);
    without JavaScript the form posts and the record reloads at the diagnoses."""
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    document = record.scoped_diagnosis(request.user, client, diagnosis_pk)  # type: ignore[arg-type]
    try:
        diagnosis_actions.sign_diagnosis(user=request.user, document=document)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_record_url(client, "diagnoses"))
    if request.htmx:  # type: ignore[attr-defined]
        document = record.diagnosis_row(document.pk)
        return render(
            request, "clients/_diagnosis_row.html", {"client": client, "document": document, "just_signed": True}
        )
    messages.success(request, "Diagnosis signed. The next nightly run revalidates the services it covers.")
    return redirect(_record_url(client, "diagnoses"))


@login_required
def authorization_edit(request: HttpRequest, pk: int, authorization_pk: int) -> HttpResponse:
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    authorization = record.scoped_authorization(request.user, client, authorization_pk)  # type: ignore[arg-type]
    initial = {name: getattr(authorization, name) for name in AuthorizationForm.base_fields}
    form = AuthorizationForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service_actions.update_authorization(user=request.user, authorization=authorization, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Authorization saved.")
            return redirect(_record_url(client, "authorizations"))
    return _form_page(
        request,
        client=client,
        form=form,
        title="Edit authorization (TAR)",
        section="authorizations",
        submit="Save authorization",
    )


@login_required
def authorization_add(request: HttpRequest, pk: int) -> HttpResponse:
    client = record.get_client_for_user(request.user, pk)  # type: ignore[arg-type]
    form = AuthorizationForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            service_actions.create_authorization(user=request.user, client=client, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Authorization added.")
            return redirect(_record_url(client, "authorizations"))
    return _form_page(
        request,
        client=client,
        form=form,
        title="Add an authorization (TAR)",
        section="authorizations",
        submit="Add authorization",
    )
