"""Home (Services Needing Attention), the Services list and the three reports.

Views are thin: a FilterSet over a scoped selector of `reports.queries`, one access-log row per report
view or export, and a template (a partial one for htmx requests, which replace the results only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_filters import FilterSet

from accounts.models import AccessLog, User
from common.access_log import record_access
from common.http import AuthenticatedRequest
from common.rest import page_number
from reports import exports, queries
from reports.filters import DiagnosisErrorFilter, EnrollmentFilter, ServiceErrorFilter, ServiceFilter
from reports.models import CorrectionDeadline
from services import actions as service_actions
from services.forms import MarkErrorForm
from services.selectors import services_for_user

PAGE_SIZE = 50
# The Services list counts its rows up to this many (see service_list).
COUNT_CAP = 10_000
EXPORT_FORMATS = ("csv", "xlsx")

Request = AuthenticatedRequest[User]


def _filters_used(filterset: FilterSet) -> dict[str, Any]:
    """The filters as typed (ids and codes), for the access log and for links."""
    if not filterset.is_bound:
        return {}
    return {name: filterset.data.get(name) for name in filterset.filters if filterset.data.get(name)}


class KnownCountPaginator(Paginator):
    """A paginator given its row count (known already), so it never runs a COUNT of its own."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def _query_without(request: Request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _export_format(request: Request) -> str | None:
    value = request.GET.get("export")
    return value if value in EXPORT_FORMATS else None


def _filtered(filterset: FilterSet) -> QuerySet[Any]:
    # An invalid filter (a date typed wrong) shows the form error and no rows, never every row.
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def _refuse_large_export(request: Request, rows: QuerySet[Any]) -> HttpResponse | None:
    """Back to the page with a message when the export would be too big to build in memory."""
    if rows.count() <= exports.EXPORT_MAX_ROWS:
        return None
    messages.error(request, exports.TOO_MANY_ROWS.format(limit=exports.EXPORT_MAX_ROWS))
    return redirect(f"{request.path}?{_query_without(request, 'export')}")


def _log(request: Request, *, report: str, filterset: FilterSet, export: str | None) -> None:
    filters = _filters_used(filterset)
    if export:
        filters["format"] = export
    record_access(
        user=request.user,
        action=AccessLog.Action.EXPORT_REPORT if export else AccessLog.Action.VIEW_REPORT,
        target=f"report:{report}",
        filters=filters,
        request=request,
    )


def _page(request: Request, rows: QuerySet[Any]) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _render(request: Request, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only its results block when htmx asks for it."""
    # Filters, sort links and pages inside #results ask for the results block only.
    partial = bool(getattr(request, "htmx", False)) and request.htmx.target == "results"
    context["is_partial"] = partial
    name = template.replace(".html", "_results.html") if partial else template
    return render(request, name, context)


# ---- Services list -----------------------------------------------------------------------------


def _service_list_record(service: Any, rules: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "service": service.pk,
        "agency": service.program.agency.name,
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
        "failure_messages": queries.failure_messages(list(service.failure_codes), rules),
    }


def _export_name(request: Request, filterset: FilterSet | None, report: str, fmt: str) -> str:
    """The file name: report, agency (the user's, or the one filtered on), date-of-service range, today."""
    data = filterset.form.cleaned_data if filterset is not None and filterset.is_bound and filterset.is_valid() else {}
    return exports.report_export_name(user=request.user, report=report, extension=fmt, on=queries.today(), filters=data)


def _export(
    rows: Iterable[Any],
    record: Callable[[Any], dict[str, Any]],
    columns: exports.Columns,
    report: str,
    fmt: str,
    *,
    name: str,
) -> HttpResponse:
    return exports.file_response(
        (record(row) for row in rows), columns, report=report, extension=fmt, on=queries.today(), name=name
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


def _sort(request: Request) -> tuple[str, bool]:
    """The sort column and direction from `?sort=` (`-` for descending); oldest DOS first by default."""
    raw = request.GET.get("sort", "")
    key = raw.removeprefix("-")
    if key not in SORTABLE:
        return "date_of_service", False
    return key, raw.startswith("-")


def _page_number(request: Request) -> int:
    # The page's offset goes into SQL: a number beyond bigint was a 500. Junk is a 400 like the API's.
    try:
        return page_number(request.GET.get("page"))
    except ValueError as error:
        raise BadRequest(str(error)) from None


@login_required
def service_list(request: Request) -> HttpResponse:
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
            rows.iterator(chunk_size=2000),
            lambda service: _service_list_record(service, rules),
            exports.SERVICE_LIST_COLUMNS,
            "services",
            export,
            name=_export_name(request, filterset, "services", export),
        )
    # The total is counted up to COUNT_CAP rows ("Services (10,000+)" beyond): an exact count(*) over a
    # million services would cost more than the page's budget, and past ten thousand rows staff narrow
    # the filters anyway. One row past the page tells whether there is a next one.
    total = rows.order_by().values("pk")[: COUNT_CAP + 1].count()
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
                    "url": reverse("service-detail", kwargs={"pk": service.pk}),
                    "reasons": [rules[code] for code in service.failure_codes if code in rules],
                }
                for service in services
            ],
            "number": number,
            "total": min(total, COUNT_CAP),
            "total_capped": total > COUNT_CAP,
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


def deadlines_for_months(months: set[dt.date]) -> list[CorrectionDeadline]:
    """The deadline phases that hold one of `months` (first days): the table beside the report shows
    only the phases of the rows on screen, not every phase the county ever set."""
    return [
        deadline
        for deadline in CorrectionDeadline.objects.order_by("month_from")
        if any(deadline.month_from <= month <= deadline.month_to for month in months)
    ]


@login_required
def report_service_errors(request: Request) -> HttpResponse:
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
        rules = queries.rules_by_code()
        return exports.file_response(
            (queries.service_error_record(row, on=on, rules=rules) for row in rows.iterator(chunk_size=2000)),
            exports.SERVICE_ERROR_COLUMNS,
            report="service-errors",
            extension=export,
            on=on,
            name=_export_name(request, filterset, "service-errors", export),
        )
    rules = queries.rules_by_code()
    paginator = Paginator(rows, PAGE_SIZE)
    if not _filters_used(filterset):
        # Unfiltered, the report's rows are the scope's failing services, which the attention figures
        # already counted (and keep cached): no second count over every failing service.
        paginator = KnownCountPaginator(
            rows, PAGE_SIZE, count=queries.attention_counts(request.user, rules=rules).total
        )
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
                    "url": reverse("service-detail", kwargs={"pk": service.pk}),
                }
                for service in page.object_list
            ],
            "deadlines": deadlines_for_months({service.date_of_service.replace(day=1) for service in page.object_list}),
            "default_days": settings.CORRECTION_DAYS_AFTER_MONTH,
            "query": _query_without(request, "page", "export"),
            "today": on,
        },
    )


# ---- Services Diagnosis Error report -----------------------------------------------------------


@login_required
def report_diagnosis_errors(request: Request) -> HttpResponse:
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
            name=_export_name(request, filterset, "diagnosis-errors", export),
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
def report_program_coverage(request: Request) -> HttpResponse:
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
            name=_export_name(request, filterset, "program-coverage", export),
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


# ---- Selected rows of the Services list --------------------------------------------------------


def _back_to_list(request: Request) -> str:
    """Where the Services list was (its filters and page), or the plain list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("service-list")


@login_required
@require_POST
def service_selection(request: Request) -> HttpResponse:
    """Act on the rows ticked in the Services list: export them, or mark them in Error.

    Mark in Error first shows a confirmation page (the notes are discarded), then goes through
    `services.actions.mark_services_error`: all or nothing, the refusing service named. Selected ids the
    user may not see are refused as a whole rather than skipped.
    """
    back = _back_to_list(request)
    ids = sorted({int(value) for value in request.POST.getlist("selected") if value.isdigit()})
    if not ids:
        messages.error(request, "Select at least one service first (the boxes at the start of each row).")
        return redirect(back)
    action = request.POST.get("action", "")
    if action in EXPORT_FORMATS:
        rows = list(queries.service_list(request.user).filter(pk__in=ids))
        record_access(
            user=request.user,
            action=AccessLog.Action.EXPORT_REPORT,
            target="report:services",
            filters={"selected": ",".join(map(str, ids)), "format": action},
            client_ids=[service.client_id for service in rows],
            request=request,
        )
        rules = queries.rules_by_code()
        return _export(
            rows,
            lambda service: _service_list_record(service, rules),
            exports.SERVICE_LIST_COLUMNS,
            "services",
            action,
            name=_export_name(request, None, "selected-services", action),
        )
    if action != "mark_error":
        messages.error(request, "Choose what to do with the selected services.")
        return redirect(back)
    services = list(services_for_user(request.user).filter(pk__in=ids).order_by("date_of_service", "id"))
    if len(services) != len(ids):
        messages.error(request, "Some selected services are not on file for you; nothing was changed.")
        return redirect(back)
    confirming = request.POST.get("step") == "confirm"
    form = MarkErrorForm(request.POST if confirming else None)
    if confirming and form.is_valid():
        try:
            service_actions.mark_services_error(user=request.user, services=services)
        except ValidationError as error:
            messages.error(request, "Nothing was changed. " + " ".join(error.messages))
        else:
            count = len(services)
            messages.success(
                request, f"{count} service{'s' if count != 1 else ''} put in Error. Their notes were discarded."
            )
        return redirect(back)
    return render(
        request,
        "reports/services_mark_error.html",
        {"services": services, "form": form, "next": back},
        status=400 if confirming else 200,
    )
