"""Pages that compose the records of several apps: the home dashboard (Services Needing Attention),
the client record (information, programs, coverage, diagnoses, authorizations, services) and a
service with its failure reasons, fixes and history.

Each app keeps the pages of its own records; these read through the apps' selectors and the
reports' queries and write nothing (their forms post to the apps' pages).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import AccessLog, User
from clients.forms import AccountForm
from clients.models import Enrollment
from common.access_log import record_access
from common.http import AuthenticatedRequest
from nightly.models import FailureOverride
from nightly.verdict import check_client, check_services
from pages import client_record as record
from pages.resolution import fix_for, reference_data_note
from reports import queries
from reports.charts import trend_chart
from services.history import HistoryEntry, service_history
from services.models import Service
from services.selectors import services_for_user
from services.views import service_lock_reason

Request = AuthenticatedRequest[User]


# ---- Services Needing Attention (home) -----------------------------------------------------------


def _list_link(**params: Any) -> str:
    return f"{reverse('service-list')}?{urlencode({'status': 'show', 'failing': 'true', **params})}"


def _month_link(month: dt.date) -> str:
    last = calendar.monthrange(month.year, month.month)[1]
    return _list_link(dos_from=month.isoformat(), dos_to=month.replace(day=last).isoformat())


@login_required
def home(request: Request) -> HttpResponse:
    rules = queries.rules_by_code()
    counts = queries.attention_counts(request.user, rules=rules)
    trend = queries.failing_trend(request.user)
    run = trend[-1].run if trend else None
    latest = queries.last_run()
    items = queries.oldest_failing(request.user, rules=rules)
    # The queue's rows (not its counts) carry tonight's verdict, one engine call for them all, so an
    # item fixed since the run shows "fixed, completes tonight" instead of looking untouched.
    verdicts = check_services(service_ids=[item.service.pk for item in items], as_of=timezone.localdate())
    record_access(
        user=request.user,
        action=AccessLog.Action.VIEW_REPORT,
        target="report:services-needing-attention",
        filters={},
        request=request,
    )
    return render(
        request,
        "pages/home.html",
        {
            "counts": counts,
            "total_link": _list_link(),
            "by_reason": [
                {"rule": rule, "count": count, "link": _list_link(failure_reason=rule.code)}
                for rule, count in counts.by_reason
            ],
            "by_program": [{**row, "link": _list_link(program=row["program"])} for row in counts.by_program],
            "by_month": [{**row, "link": _month_link(row["month"])} for row in counts.by_month],
            "oldest": [
                {
                    "item": item,
                    "url": reverse("service-detail", kwargs={"pk": item.service.pk}),
                    "verdict": verdicts.get(item.service.pk),
                }
                for item in items
            ],
            "oldest_ids": [item.service.pk for item in items],
            "queue_link": f"{reverse('report-service-errors')}",
            "last_run": latest,
            "last_finished_run": run,
            "last_run_failing": trend[-1].failing if trend else None,
            "chart": trend_chart(trend),
            "today": queries.today(),
        },
    )


# ---- The client record ----------------------------------------------------------------------------


@login_required
def client_detail(request: Request, pk: int) -> HttpResponse:
    client_record = record.client_record(request.user, pk)
    record_access(
        user=request.user,
        action=AccessLog.Action.VIEW_CLIENT,
        target=f"client:{pk}",
        client_ids=[pk],
        request=request,
    )
    client = client_record.client
    # Tonight's verdict of the client's services, now (one engine call): every save of the record,
    # coverage, diagnoses, authorizations or a service comes back here and shows its effect.
    verdicts = check_client(client_id=client.pk, as_of=timezone.localdate())
    return render(
        request,
        "pages/client_detail.html",
        {
            "record": client_record,
            "client": client,
            # Each listed service with its verdict (None once it left Show: nothing to decide tonight).
            "services_with_verdicts": [(service, verdicts.get(service.pk)) for service in client_record.services],
            "account_form": AccountForm(initial={"financial_info_complete": client.financial_info_complete}),
            "status_choices": Enrollment.Status,
            "today": timezone.localdate(),
        },
    )


# ---- One service: reasons, fixes, history ---------------------------------------------------------


@login_required
def service_detail(request: Request, pk: int) -> HttpResponse:
    service = get_object_or_404(services_for_user(request.user), pk=pk)
    # Overrides county billing granted (nightly's FailureOverride): read here, where pages may import
    # nightly, and never through the service's reverse relation from services/ (a hidden upward import).
    overrides = list(
        FailureOverride.objects.filter(service=service).select_related("rule", "created_by").order_by("created_at")
    )
    overridden = {override.rule.code: override for override in overrides}
    # Only a service in Show has reasons to fix: once in Error (or Complete) the last run's reasons are
    # history, not work, so they are neither shown nor offered a fix or an override.
    failures = list(service.failures.all()) if service.status == Service.Status.SHOW else []
    reasons = [
        {
            "failure": failure,
            "fix": fix_for(failure.rule.code, service),
            "note": reference_data_note(failure.rule.code),
            "override": overridden.get(failure.rule.code),
        }
        for failure in failures
    ]
    user = request.user
    override_url = reverse("nightly-override-add") + f"?service={service.pk}"
    # What tonight's run would decide, now: shown after every save (the saves redirect here).
    verdict = check_services(service_ids=[service.pk], as_of=timezone.localdate()).get(service.pk)
    return render(
        request,
        "pages/service_detail.html",
        {
            "service": service,
            "verdict": verdict,
            "reasons": reasons,
            "history": _with_overrides(service_history(service), overrides),
            "overrides": overrides,
            "locked_reason": service_lock_reason(service),
            "override_url": override_url if user.is_county or user.is_system_admin else "",
        },
    )


def _with_overrides(history: list[HistoryEntry], overrides: list[FailureOverride]) -> list[HistoryEntry]:
    """The service's history with county billing's overrides in it: an override changes no column of
    the service (so no audit event of its own), yet staff must see that a reason was let pass, by
    whom and why. Merged by time, newest first; the sort is stable, so same-instant events keep order."""
    if not overrides:
        return history
    entries = [
        HistoryEntry(
            at=override.created_at,
            label="override",
            who=override.created_by.get_full_name() or override.created_by.username,
            changes=[("Override", None, f"{override.rule.code} may pass from the next run: {override.reason}")],
        )
        for override in overrides
    ]
    return sorted([*entries, *history], key=lambda entry: entry.at, reverse=True)
