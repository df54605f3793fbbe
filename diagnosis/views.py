"""The diagnosis pages of a client (add, edit, sign), opened from the client record's diagnoses.

Reads through the scoped selectors, writes through `diagnosis.actions`; an action's ValidationError
is shown on the field it names. The URLs stay under /clients/<pk>/ (diagnosis/urls.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from clients.forms import add_action_errors, posted_data
from clients.selectors import get_client_for_user, programs_for_user
from clients.views import form_page, record_url
from common.http import AuthenticatedRequest
from diagnosis import actions as diagnosis_actions
from diagnosis import icd10
from diagnosis.forms import DiagnosisEditForm, DiagnosisForm
from diagnosis.selectors import diagnosis_row, scoped_diagnosis

Request = AuthenticatedRequest[User]


@login_required
def icd10_search(request: Request) -> HttpResponse:
    """Billable ICD-10-CM codes matching words of a description or a code's start (htmx, as you type)."""
    query = request.GET.get("icd_q", "")[:100]
    return render(request, "diagnosis/_icd10_results.html", {"results": icd10.search(query), "query": query.strip()})


@login_required
def diagnosis_add(request: Request, pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    programs = programs_for_user(request.user).filter(enrollments__client=client).distinct().order_by("code")
    initial = {"program": request.GET.get("program")} if request.GET.get("program") else None
    form = DiagnosisForm(posted_data(request), programs=programs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            diagnosis_actions.create_diagnosis(user=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Diagnosis added.")
            return redirect(record_url(client, "diagnoses"))
    return form_page(
        request,
        client=client,
        form=form,
        title="Add a diagnosis",
        section="diagnoses",
        submit="Add diagnosis",
        intro="A diagnosis is entered in the program of the services it supports.",
        icd_search=True,
    )


@login_required
def diagnosis_edit(request: Request, pk: int, diagnosis_pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    document = scoped_diagnosis(request.user, client, diagnosis_pk)
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
            diagnosis_actions.update_diagnosis(user=request.user, document=document, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Diagnosis saved. The next nightly run revalidates the services it covers.")
            return redirect(record_url(client, "diagnoses"))
    return form_page(
        request,
        client=client,
        form=form,
        title="Edit diagnosis",
        section="diagnoses",
        submit="Save diagnosis",
        intro="Change the effective span or the codes (billing order). A signed diagnosis stays signed.",
        icd_search=True,
    )


@login_required
@require_POST
def diagnosis_sign(request: Request, pk: int, diagnosis_pk: int) -> HttpResponse:
    """Sign a diagnosis. Through htmx the answer is the diagnosis's row only (signed, with a note);
    without JavaScript the form posts and the record reloads at the diagnoses."""
    client = get_client_for_user(request.user, pk)
    document = scoped_diagnosis(request.user, client, diagnosis_pk)
    try:
        diagnosis_actions.sign_diagnosis(user=request.user, document=document)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(record_url(client, "diagnoses"))
    if request.htmx:
        document = diagnosis_row(document.pk)
        return render(
            request, "diagnosis/_diagnosis_row.html", {"client": client, "document": document, "just_signed": True}
        )
    messages.success(request, "Diagnosis signed. The next nightly run revalidates the services it covers.")
    return redirect(record_url(client, "diagnoses"))
