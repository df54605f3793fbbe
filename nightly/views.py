"""The Nightly runs page: history with counts by rule and durations, starting a run and watching it,
overriding one failure reason on one service (county billing), and "Check now" (tonight's verdict).

Runs and overrides are written by `nightly.actions`; this module only reads runs and calls them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.scope import scope_queryset
from clients.selectors import clients_for_user
from nightly import actions, verdict
from nightly.forms import OverrideForm, StartRunForm
from nightly.models import NightlyRun, Rule
from reports.links import service_url
from services.models import Service

RUNS_PER_PAGE = 20


def _require_county(request: HttpRequest) -> None:
    """Runs and overrides belong to county billing (and system admins), as API.md says."""
    if not getattr(request.user, "sees_all_agencies", False):
        raise PermissionDenied("Only the county billing team can do this.")


def _rules_by_code() -> dict[str, Rule]:
    return {rule.code: rule for rule in Rule.objects.all()}


def _run_rows(runs: list[NightlyRun], rules: dict[str, Rule]) -> list[dict[str, Any]]:
    rows = []
    for run in runs:
        by_rule = sorted((run.failures_by_rule or {}).items(), key=lambda item: (-int(item[1]), item[0]))
        rows.append(
            {
                "run": run,
                "by_rule": [
                    {"code": code, "count": count, "message": getattr(rules.get(code), "message", code)}
                    for code, count in by_rule
                ],
            }
        )
    return rows


@login_required
def nightly_runs(request: HttpRequest) -> HttpResponse:
    _require_county(request)
    page = Paginator(
        NightlyRun.objects.select_related("started_by").order_by("-created_at", "-id"), RUNS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "nightly/runs.html",
        {"page": page, "rows": _run_rows(list(page.object_list), _rules_by_code()), "form": StartRunForm()},
    )


@login_required
@require_POST
def start_run(request: HttpRequest) -> HttpResponse:
    _require_county(request)
    form = StartRunForm(request.POST)
    if not form.is_valid():
        page = Paginator(NightlyRun.objects.order_by("-created_at", "-id"), RUNS_PER_PAGE).get_page(1)
        return render(
            request,
            "nightly/runs.html",
            {"page": page, "rows": _run_rows(list(page.object_list), _rules_by_code()), "form": form},
            status=400,
        )
    try:
        run = actions.start_nightly_run(user=request.user, as_of=form.cleaned_data["as_of"])
    except actions.RunAlreadyActive:
        messages.error(request, "A run is already queued or running: wait for it to finish.")
        return redirect("nightly-runs")
    run.refresh_from_db()
    messages.success(request, f"Run {run.pk} for {run.as_of:%Y-%m-%d} started ({run.get_status_display()}).")
    return redirect("nightly-runs")


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """One run's row, polled by htmx while the run is queued or running."""
    _require_county(request)
    run = get_object_or_404(NightlyRun, pk=pk)
    return render(request, "nightly/_run_row.html", {"row": _run_rows([run], _rules_by_code())[0]})


@login_required
def override_add(request: HttpRequest) -> HttpResponse:
    _require_county(request)
    service_id = request.POST.get("service") or request.GET.get("service")
    if not service_id or not str(service_id).isdigit():
        messages.error(request, "Open the override from a service's failure reasons.")
        return redirect("report-service-errors")
    service = get_object_or_404(
        scope_queryset(Service.objects.select_related("procedure", "program"), request.user), pk=int(service_id)
    )
    rules = _rules_by_code()
    current = [rules[code] for code in service.failures.values_list("rule__code", flat=True) if code in rules]
    choices = current or list(rules.values())
    form = OverrideForm(request.POST or None, rules=choices, initial={"code": request.GET.get("code")})
    if request.method == "POST" and form.is_valid():
        try:
            actions.override_failure(
                user=request.user,
                service=service,
                code=form.cleaned_data["code"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
            for field, messages_ in errors.items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, f"{form.cleaned_data['code']} will pass for service {service.pk} from the next run on."
            )
            return redirect(service_url(service.pk))
    return render(
        request,
        "nightly/override_form.html",
        {"form": form, "service": service, "current": current, "service_url": service_url(service.pk)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def check_now(request: HttpRequest) -> HttpResponse:
    """ "Check now" on a client record or the queue: tonight's verdict for a client's Show services (or
    the listed ones, in scope), summed up in a message, then back to the page, which shows each verdict."""
    today = timezone.localdate()

    def as_id(text: str) -> int:  # anything but a bigint-sized id matches nothing
        return int(text) if text.isdigit() and len(text) < 19 else 0

    client_id = request.POST.get("client", "")
    if client_id:
        client = get_object_or_404(clients_for_user(request.user), pk=as_id(client_id))
        verdicts = verdict.check_client(client_id=client.pk, as_of=today)
    else:
        wanted = [as_id(pk) for pk in request.POST.getlist("services")][: verdict.MAX_SERVICES]
        visible = scope_queryset(Service.objects.filter(pk__in=wanted), request.user).values_list("pk", flat=True)
        verdicts = verdict.check_services(service_ids=list(visible), as_of=today)
    completing = sum(1 for found in verdicts.values() if found.would_complete)
    messages.info(
        request,
        f"Checked {len(verdicts)} service{pluralize(len(verdicts))} now: {completing} complete tonight, "
        f"{len(verdicts) - completing} still fail.",
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
