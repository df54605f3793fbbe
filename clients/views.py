"""Client pages: list and search, new client with the duplicate check, the client's information,
account and program assignments. (The client record page itself composes several apps: pages/.)

Views are thin: reads through `clients.selectors` (scoped), writes through the actions; an action's
ValidationError is shown on the field it names. Another agency's client is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from clients import actions as client_actions
from clients.forms import (
    AccountForm,
    ClientCreateForm,
    ClientInformationForm,
    ClientSearchForm,
    EnrollmentForm,
    EnrollmentStatusForm,
    add_action_errors,
    posted_data,
)
from clients.models import Client, Enrollment
from clients.selectors import (
    get_client_for_user,
    possible_duplicate_clients,
    programs_for_user,
    scoped_enrollment,
    search_clients,
)
from common.http import AuthenticatedRequest

Request = AuthenticatedRequest[User]

CLIENTS_PER_PAGE = 50


def record_url(client: Client | int, section: str = "") -> str:
    """The client record page (pages/), at one section; the sub-record pages of every app return there."""
    pk = client if isinstance(client, int) else client.pk
    url = reverse("client-detail", kwargs={"pk": pk})
    return f"{url}#{section}" if section else url


def form_page(
    request: Request,
    *,
    client: Client,
    form: Any,
    title: str,
    section: str,
    submit: str,
    intro: str = "",
    icd_search: bool = False,
) -> HttpResponse:
    """The one form page of the client record's sections (information, programs, coverage, ...)."""
    return render(
        request,
        "clients/form.html",
        {
            "client": client,
            "form": form,
            "page_title": title,
            "cancel_url": record_url(client, section),
            "submit_label": submit,
            "intro": intro,
            "icd_search": icd_search,
        },
    )


@login_required
def client_list(request: Request) -> HttpResponse:
    """Clients in scope, searched by name or id. The search is POSTed (htmx while typing, or the
    form without JavaScript), and so are its pages: a name never reaches a URL, a server log, the
    browser history or a Referer header. Only the unfiltered list pages by `?page=`."""
    form = ClientSearchForm(request.POST if request.method == "POST" else None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    clients = search_clients(request.user, query)
    page_number = request.POST.get("page") if request.method == "POST" else request.GET.get("page")
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(page_number)
    context = {"form": form, "page": page, "query": query}
    # htmx asks for the results only while the user types.
    template = "clients/_client_results.html" if request.htmx else "clients/client_list.html"
    return render(request, template, context)


@login_required
def client_add(request: Request) -> HttpResponse:
    """New client. Same name and date of birth, or same SSN, as a client on file asks for an explicit
    "create anyway". Decision: only duplicates the user may see are listed (no other agency's PHI);
    those elsewhere are counted so staff know to ask county billing before creating a second record.
    """
    user = request.user
    programs = programs_for_user(user).order_by("code")
    form = ClientCreateForm(
        posted_data(request),
        programs=programs,
        program_required=not user.sees_all_agencies,
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
            client = client_actions.create_client_with_enrollment(
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
                program=data.get("program"),
                requested_date=data.get("requested_date"),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Client {client.pk} created.")
            return redirect(record_url(client))
    return render(request, "clients/client_add.html", {"form": form, "duplicates": [], "duplicates_elsewhere": 0})


@login_required
def client_edit(request: Request, pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    initial = {name: getattr(client, name) for name in ClientInformationForm.base_fields if name != "ssn"}
    form = ClientInformationForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if not fields["ssn"]:
            # Blank keeps the SSN on file: it is never sent back to the browser to be re-typed.
            fields.pop("ssn")
        try:
            client_actions.update_client(user=request.user, client=client, **fields)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Client information saved.")
            return redirect(record_url(client, "information"))
    intro = f"SSN on file: {client.ssn_masked}. Leave SSN blank to keep it." if client.ssn_last4 else ""
    return form_page(
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
def client_account(request: Request, pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    form = AccountForm(request.POST)
    if form.is_valid():
        client_actions.update_client(
            user=request.user,
            client=client,
            financial_info_complete=form.cleaned_data["financial_info_complete"],
        )
        messages.success(request, "Client account saved.")
    return redirect(record_url(client, "account"))


@login_required
def enrollment_add(request: Request, pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    form = EnrollmentForm(posted_data(request), programs=programs_for_user(request.user).order_by("code"))
    if request.method == "POST" and form.is_valid():
        try:
            client_actions.create_enrollment(
                user=request.user,
                client=client,
                program=form.cleaned_data["program"],
                status=Enrollment.Status.REQUESTED,
                requested_date=form.cleaned_data["requested_date"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Program assignment requested.")
            return redirect(record_url(client, "programs"))
    return form_page(
        request, client=client, form=form, title="Request a program assignment", section="programs", submit="Request"
    )


@login_required
@require_POST
def enrollment_status(request: Request, pk: int, enrollment_pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    enrollment = scoped_enrollment(request.user, client, enrollment_pk)
    form = EnrollmentStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose enroll or discharge and a date.")
        return redirect(record_url(client, "programs"))
    try:
        client_actions.change_enrollment_status(
            user=request.user,
            enrollment=enrollment,
            status=form.cleaned_data["status"],
            on_date=form.cleaned_data["on_date"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Program assignment {enrollment.get_status_display().lower()}.")
    return redirect(record_url(client, "programs"))
