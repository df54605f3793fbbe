"""Home (Services Needing Attention), the Services list and the three reports.

Views are thin: a FilterSet over a scoped selector of `reports.queries`, one access-log row per report
view or export, and a template (a partial one for htmx requests, which replace the results only).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_filters import FilterSet

from accounts.access_log import record_access
from accounts.models import AccessLog
from accounts.rest import page_number
from nightly.verdict import check_services
from reports import exports, queries
from reports.charts import trend_chart
from reports.filters import DiagnosisErrorFilter, EnrollmentFilter, ServiceErrorFilter, ServiceFilter
from reports.links import service_url
from reports.models import CorrectionDeadline

PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")


def _filters_used(filterset: FilterSet) -> dict[str, Any]:
    """The filters as typed (ids and codes), for the access log and for links."""
    if not filterset.is_bound:
        return {}
    return {name: filterset.data.get(name) for name in filterset.filters if filterset.data.get(name)}


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _export_format(request: HttpRequest) -> str | None:
    value = request.GET.get("export")
    return value if value in EXPORT_FORMATS else None


def _filtered(filterset: FilterSet) -> QuerySet[Any]:
    # An invalid filter (a date typed wrong) shows the form error and no rows, never every row.
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def _refuse_large_export(request: HttpRequest, rows: QuerySet[Any]) -> HttpResponse | None:
    """Back to the page with a message when the export would be too big to build in memory."""
    if rows.count() <= exports.EXPORT_MAX_ROWS:
        return None
    messages.error(request, exports.TOO_MANY_ROWS.format(limit=exports.EXPORT_MAX_ROWS))
    return redirect(f"{request.path}?{_query_without(request, 'export')}")


def _log(request: HttpRequest, *, report: str, filterset: FilterSet, export: str | None) -> None:
    filters = _filters_used(filterset)
    if export:
        filters["format"] = export
    record_access(
        user=request.user,  # type: ignore[arg-type]
        action=AccessLog.Action.EXPORT_REPORT if export else AccessLog.Action.VIEW_REPORT,
        target=f"report:{report}",
        filters=filters,
    )


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only its results block when htmx asks for it."""
    # Filters, sort links and pages inside #results ask for the results block only.
    partial = bool(getattr(request, "htmx", False)) and request.htmx.target == "results"  # type: ignore[attr-defined]
    context["is_partial"] = partial
    name = template.replace(".html", "_results.html") if partial else template
    return render(request, name, context)


# ---- Services Needing Attention ----------------------------------------------------------------


def _list_link(**params: Any) -> str:
    return f"{reverse('service-list')}?{urlencode({'status': 'show', 'failing': 'true', **params})}"


def _month_link(month: dt.date) -> str:
    last = calendar.monthrange(month.year, month.month)[1]
    return _list_link(dos_from=month.isoformat(), dos_to=month.replace(day=last).isoformat())


@login_required
def home(request: HttpRequest) -> HttpResponse:
    rules = queries.rules_by_code()
    counts = queries.attention_counts(request.user, rules=rules)
    trend = queries.failing_trend(request.user)
    run = trend[-1].run if trend else None
    latest = queries.last_run()
    items = queries.oldest_failing(request.user, rules=rules)
    # The queue's rows (not its counts) carry tonight's verdict, one engine call for them all, so an
    # item fixed since the run shows "fixed, completes tonight" instead of looking untouched.
    verdicts = check_services(service_ids=[item.service.pk for item in items], as_of=timezone.localdate())
    oldest = [
        {"item": item, "url": service_url(item.service.pk), "verdict": verdicts.get(item.service.pk)} for item in items
    ]
    record_access(
        user=request.user,  # type: ignore[arg-type]
        action=AccessLog.Action.VIEW_REPORT,
        target="report:services-needing-attention",
        filters={},
    )
    return render(
        request,
        "reports/home.html",
        {
            "counts": counts,
            "total_link": _list_link(),
            "by_reason": [
                {"rule": rule, "count": count, "link": _list_link(failure_reason=rule.code)}
                for rule, count in counts.by_reason
            ],
            "by_program": [{**row, "link": _list_link(program=row["program"])} for row in counts.by_program],
            "by_month": [{**row, "link": _month_link(row["month"])} for row in counts.by_month],
            "oldest": oldest,
            "oldest_ids": [item.service.pk for item in items],
            "queue_link": f"{reverse('report-service-errors')}",
            "last_run": latest,
            "last_finished_run": run,
            "last_run_failing": trend[-1].failing if trend else None,
            "chart": trend_chart(trend),
            "today": queries.today(),
        },
    )


# ---- Services list -----------------------------------------------------------------------------


def _service_list_record(service: Any) -> dict[str, Any]:
    return {
        "service": service.pk,
        "client": service.client_id,
        "client_name": f"{service.client.last_name}, {service.client.first_name}",
        "date_of_service": service.date_of_service,
        "units": service.units,
        "charge": service.charge,
        "rate": service.rate,
        "procedure_code": service.procedure.display_code,
        "status": service.status,
        "clinician_name": f"{service.clinician.last_name}, {service.clinician.first_name}",
        "program_code": service.program.code,
        "location": service.location.name,
        "failure_reasons": list(service.failure_codes),
    }


def _export(
    rows: Iterable[Any], record: Callable[[Any], dict[str, Any]], columns: exports.Columns, report: str, fmt: str
) -> HttpResponse:
    return exports.file_response(
        (record(row) for row in rows), columns, report=report, extension=fmt, on=queries.today()
    )


# (key, heading, order_by fields or None when not sortable, numeric)
SERVICE_COLUMNS: tuple[tuple[str, str, tuple[str, ...] | None, bool], ...] = (
    ("date_of_service", "DOS", ("date_of_service", "id"), False),
    ("client", "Client", ("client__last_name", "client__first_name", "client_id", "id"), False),
    ("units", "Units", ("units", "id"), True),
    ("charge", "Charge (rate)", ("charge", "id"), True),
    ("procedure", "Procedure", ("procedure__code", "procedure__modifier", "id"), False),
    ("status", "Status", ("status", "id"), False),
    ("clinician", "Clinician", ("clinician__last_name", "clinician__first_name", "id"), False),
    ("program", "Program", ("program__code", "id"), False),
    ("location", "Location", ("location__name", "id"), False),
    ("failure_reasons", "Failure reasons", None, False),
)
SORTABLE = {key: fields for key, _, fields, _ in SERVICE_COLUMNS if fields}


def _sort(request: HttpRequest) -> tuple[str, bool]:
    """The sort column and direction from `?sort=` (`-` for descending); oldest DOS first by default."""
    raw = request.GET.get("sort", "")
    key = raw.removeprefix("-")
    if key not in SORTABLE:
        return "date_of_service", False
    return key, raw.startswith("-")


def _page_number(request: HttpRequest) -> int:
    # The page's offset goes into SQL: a number beyond bigint was a 500. Junk is a 400 like the API's.
    try:
        return page_number(request.GET.get("page"))
    except ValueError as error:
        raise BadRequest(str(error)) from None


@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    rules = queries.rules_by_code()
    filterset = ServiceFilter(request.GET or None, queryset=queries.service_list(request.user), request=request)
    rows = _filtered(filterset)
    export = _export_format(request)
    sort_key, descending = _sort(request)
    rows = rows.order_by(*(f"-{field}" if descending else field for field in SORTABLE[sort_key]))
    if export:
        if refused := _refuse_large_export(request, rows):
            return refused
        _log(request, report="services", filterset=filterset, export=export)
        return _export(
            rows.iterator(chunk_size=2000), _service_list_record, exports.SERVICE_LIST_COLUMNS, "services", export
        )
    # No count(*): over a million services it alone would cost more than the page's budget. One row
    # past the page tells whether there is a next one.
    number = _page_number(request)
    offset = (number - 1) * PAGE_SIZE
    fetched = list(rows[offset : offset + PAGE_SIZE + 1])
    services = fetched[:PAGE_SIZE]
    base = request.GET.copy()
    for name in ("page", "export"):
        base.pop(name, None)

    def with_params(**params: Any) -> str:
        query = base.copy()
        for name, value in params.items():
            query[name] = str(value)
        return query.urlencode()

    columns = []
    for key, label, fields, numeric in SERVICE_COLUMNS:
        sorted_state = ("descending" if descending else "ascending") if key == sort_key else ""
        next_sort = f"-{key}" if key == sort_key and not descending else key
        columns.append(
            {
                "label": label,
                "numeric": numeric,
                "sorted": sorted_state,
                "sort_link": with_params(sort=next_sort) if fields else "",
            }
        )
    return _render(
        request,
        "reports/services.html",
        {
            "filter": filterset,
            "columns": columns,
            "rows": [
                {
                    "service": service,
                    "url": service_url(service.pk),
                    "reasons": [rules[code] for code in service.failure_codes if code in rules],
                }
                for service in services
            ],
            "number": number,
            "first": offset + 1,
            "last": offset + len(services),
            "has_next": len(fetched) > PAGE_SIZE,
            "has_previous": number > 1,
            "next_query": with_params(page=number + 1),
            "previous_query": with_params(page=number - 1),
            "query": base.urlencode(),
            # Carried by the filter form, so changing a filter keeps the column sort.
            "sort": f"{'-' if descending else ''}{sort_key}" if "sort" in request.GET else "",
        },
    )


# ---- COSD Service Error Report -----------------------------------------------------------------


@login_required
def report_service_errors(request: HttpRequest) -> HttpResponse:
    on = queries.today()
    filterset = ServiceErrorFilter(
        request.GET or None, queryset=queries.service_error_rows(request.user, on=on), request=request
    )
    rows = _filtered(filterset)
    export = _export_format(request)
    if export and (refused := _refuse_large_export(request, rows)):
        return refused
    _log(request, report="service-errors", filterset=filterset, export=export)
    if export:
        return exports.file_response(
            (queries.service_error_record(row, on=on) for row in rows.iterator(chunk_size=2000)),
            exports.SERVICE_ERROR_COLUMNS,
            report="service-errors",
            extension=export,
            on=on,
        )
    rules = queries.rules_by_code()
    paginator = Paginator(rows, PAGE_SIZE)
    if not _filters_used(filterset):
        # Unfiltered, the report's rows are the scope's failing services, which the attention figures
        # already counted (and keep cached): no second count over every failing service.
        paginator.count = queries.attention_counts(request.user, rules=rules).total  # type: ignore[misc]
    page = paginator.get_page(request.GET.get("page"))
    return _render(
        request,
        "reports/service_errors.html",
        {
            "filter": filterset,
            "page": page,
            "rows": [
                {
                    "record": queries.service_error_record(service, on=on),
                    "reasons": [rules[code] for code in service.failure_codes if code in rules],
                    "url": service_url(service.pk),
                }
                for service in page.object_list
            ],
            "deadlines": list(CorrectionDeadline.objects.all()),
            "default_days": settings.CORRECTION_DAYS_AFTER_MONTH,
            "query": _query_without(request, "page", "export"),
            "today": on,
        },
    )


# ---- Services Diagnosis Error report -----------------------------------------------------------


@login_required
def report_diagnosis_errors(request: HttpRequest) -> HttpResponse:
    rules = queries.rules_by_code()
    filterset = DiagnosisErrorFilter(
        request.GET or None, queryset=queries.diagnosis_error_rows(request.user), request=request
    )
    rows = _filtered(filterset)
    export = _export_format(request)
    if export and (refused := _refuse_large_export(request, rows)):
        return refused
    _log(request, report="diagnosis-errors", filterset=filterset, export=export)
    if export:
        return exports.file_response(
            (queries.diagnosis_error_record(row, rules=rules) for row in rows),
            exports.DIAGNOSIS_ERROR_COLUMNS,
            report="diagnosis-errors",
            extension=export,
            on=queries.today(),
        )
    page = _page(request, rows)
    return _render(
        request,
        "reports/diagnosis_errors.html",
        {
            "filter": filterset,
            "page": page,
            "rows": [queries.diagnosis_error_record(row, rules=rules) for row in page.object_list],
            "query": _query_without(request, "page", "export"),
        },
    )


def _padded(items: list[Any], size: int) -> list[Any]:
    return (list(items) + [None] * size)[:size]


# ---- Program Coverage Report -------------------------------------------------------------------


@login_required
def report_program_coverage(request: HttpRequest) -> HttpResponse:
    on = queries.today()
    filterset = EnrollmentFilter(
        request.GET or None, queryset=queries.program_coverage_rows(request.user, on=on), request=request
    )
    rows = _filtered(filterset)
    export = _export_format(request)
    if export and (refused := _refuse_large_export(request, rows)):
        return refused
    _log(request, report="program-coverage", filterset=filterset, export=export)
    if export:
        return exports.file_response(
            (queries.program_coverage_record(row) for row in rows.iterator(chunk_size=2000)),
            exports.PROGRAM_COVERAGE_COLUMNS,
            report="program-coverage",
            extension=export,
            on=on,
        )
    page = _page(request, rows)
    return _render(
        request,
        "reports/program_coverage.html",
        {
            "filter": filterset,
            "page": page,
            "rows": [
                {"record": queries.program_coverage_record(row), "payers": _padded(row.payers, queries.PAYERS_SHOWN)}
                for row in page.object_list
            ],
            "query": _query_without(request, "page", "export"),
            "today": on,
        },
    )
