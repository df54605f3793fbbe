"""Reads behind the home page, the Services list and the reports: stored results only, always scoped.

Every report is one query (or a few fixed ones) over `nightly.ServiceFailure` (the current failure
reasons) and `nightly.NightlyRun`; no rule ever runs at page load, and no query runs per row.

Decisions where the documents leave a case open:

* A *failing service* is a service in Show with at least one current failure reason. Reasons left on
  a service that has since moved out of Show (put in Error, say) are not counted.
* The *correction due date* of a service is the due date of the county's deadline row whose month
  range holds the month of service (the earliest due date if rows overlap), else the last day of the
  month of service plus `settings.CORRECTION_DAYS_AFTER_MONTH`. A row is *overdue* when that date is
  before today (county time zone): the due date itself is still on time.
* *Days outstanding* counts calendar days from the date of service to today.
* The Services Diagnosis Error report's *error type* is the reason of the client's earliest problem
  service in the program; every other diagnosis reason of that client and program is listed too.
* The Program Coverage Report lists open enrollments (status Enrolled) and the coverages in effect
  today; the flags look at every coverage in effect, the columns show the first four by priority.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Count, Exists, ExpressionWrapper, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, JSONObject, TruncMonth
from django.utils import timezone

from clients.models import Enrollment
from common.scope import scope_queryset
from coverage.models import Coverage, Payer
from diagnosis.models import DiagnosisDocument
from nightly.models import FailureHistory, NightlyRun, Rule, ServiceFailure
from reports.filters import has_failure
from reports.models import CorrectionDeadline
from services.models import Service

OLDEST_SHOWN = 10
TREND_RUNS = 12
PAYERS_SHOWN = 4


def today() -> dt.date:
    return timezone.localdate()


def rules_by_code() -> dict[str, Rule]:
    """The catalogue (a few dozen rows): messages and hints are joined in Python, not per row."""
    return {rule.code: rule for rule in Rule.objects.all()}


class EndOfMonthPlusDays(models.Func):
    """The last day of the month of a date, plus a whole number of days (a date)."""

    output_field = models.DateField()

    def __init__(self, expression: Any, *, days: int) -> None:
        # An int from settings, formatted into SQL: never user input.
        super().__init__(
            expression,
            template=f"((date_trunc('month', %(expressions)s) + interval '1 month')::date - 1 + {int(days)})",
        )


def correction_due_expression() -> Coalesce:
    deadline = (
        CorrectionDeadline.objects.filter(
            # month_from is a first of month, so "month_from <= DOS" is "month_from <= month of service".
            month_from__lte=OuterRef("date_of_service"),
            month_to__gte=TruncMonth(ExpressionWrapper(OuterRef("date_of_service"), output_field=models.DateField())),
        )
        .order_by("due_date")
        .values("due_date")[:1]
    )
    return Coalesce(
        Subquery(deadline, output_field=models.DateField()),
        EndOfMonthPlusDays(F("date_of_service"), days=settings.CORRECTION_DAYS_AFTER_MONTH),
        output_field=models.DateField(),
    )


def failure_codes_expression() -> ArraySubquery:
    """A service's current reasons, in catalogue order, as a list of codes (one subquery, no prefetch)."""
    return ArraySubquery(
        ServiceFailure.objects.filter(service_id=OuterRef("pk"))
        .order_by("rule__position", "rule__code")
        .values("rule__code")
    )


# Columns a row of the Services list or the error report reads; `only` keeps the SSN cipher text
# and other wide columns out of the page queries.
LIST_FIELDS = (
    "id",
    "date_of_service",
    "start",
    "status",
    "duration_minutes",
    "units",
    "rate",
    "charge",
    "claimed",
    "client__id",
    "client__first_name",
    "client__last_name",
    "program__id",
    "program__code",
    "program__name",
    "program__agency__id",
    "program__agency__name",
    "procedure__id",
    "procedure__code",
    "procedure__modifier",
    "clinician__id",
    "clinician__first_name",
    "clinician__last_name",
    "location__id",
    "location__name",
)


def service_list(user: Any) -> QuerySet[Service]:
    """The Services list: every service the user may see, with its current reasons; oldest first."""
    return (
        scope_queryset(Service.objects.all(), user)
        .select_related("client", "program__agency", "procedure", "clinician", "location")
        .only(*LIST_FIELDS)
        .annotate(failure_codes=failure_codes_expression())
        .order_by("date_of_service", "id")
    )


def failing_services(user: Any) -> QuerySet[Service]:
    return scope_queryset(Service.objects.filter(status=Service.Status.SHOW), user).filter(has_failure())


def service_error_rows(user: Any, *, on: dt.date | None = None) -> QuerySet[Service]:
    """The COSD Service Error Report: services in Show with a failure, oldest date of service first."""
    on = on or today()
    return (
        failing_services(user)
        .select_related("client", "program__agency", "procedure", "clinician", "location")
        .only(*LIST_FIELDS)
        .annotate(
            failure_codes=failure_codes_expression(),
            correction_due=correction_due_expression(),
        )
        .annotate(overdue=ExpressionWrapper(Q(correction_due__lt=on), output_field=models.BooleanField()))
        .order_by("date_of_service", "id")
    )


def failure_messages(codes: list[str], rules: dict[str, Rule] | None) -> list[str]:
    """The reasons in staff wording (the catalogue's messages), in the order of their codes."""
    if rules is None:
        return []
    return [rules[code].message if code in rules else code for code in codes]


def service_error_record(service: Service, *, on: dt.date, rules: dict[str, Rule] | None = None) -> dict[str, Any]:
    """One row of the error report as the API, the CSV and the Excel file give it (with `rules`, the
    reasons in staff wording too)."""
    procedure = service.procedure
    return {
        "service": service.pk,
        "agency": service.program.agency.name,
        "program": service.program_id,
        "program_code": service.program.code,
        "client": service.client_id,
        "client_name": f"{service.client.last_name}, {service.client.first_name}",
        "date_of_service": service.date_of_service,
        "procedure_code": procedure.display_code,
        "clinician_name": f"{service.clinician.last_name}, {service.clinician.first_name}",
        "failure_reasons": list(service.failure_codes),  # type: ignore[attr-defined]
        "failure_messages": failure_messages(list(service.failure_codes), rules),  # type: ignore[attr-defined]
        "days_outstanding": (on - service.date_of_service).days,
        "correction_due": service.correction_due,  # type: ignore[attr-defined]
        "overdue": bool(service.overdue),  # type: ignore[attr-defined]
    }


# ---- Services Needing Attention ----------------------------------------------------------------


@dataclass
class AttentionCounts:
    total: int
    by_reason: list[tuple[Rule, int]]
    by_program: list[dict[str, Any]]
    by_month: list[dict[str, Any]]

    def as_api(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_reason": {rule.code: count for rule, count in self.by_reason},
            "by_program": [
                {"program": row["program"], "name": row["name"], "code": row["code"], "count": row["count"]}
                for row in self.by_program
            ],
            "by_month": [{"month": row["month"].strftime("%Y-%m"), "count": row["count"]} for row in self.by_month],
        }


def _scope_key(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "sees_all_agencies", False):
        return "all"
    return f"agency:{getattr(user, 'agency_id', None)}"


# One row that changes whenever the figures could: the current reasons (max id and count: the
# engine replaces them with new rows), the latest run's progress, and the set of show services with
# their program and date of service (from the index on show services, so it costs an index-only
# scan, not a read of the table). A service put in Error, completed, corrected or added changes it.
FRESHNESS_SQL = """
SELECT
  (SELECT max(id) FROM nightly_servicefailure),
  (SELECT count(*) FROM nightly_servicefailure),
  (SELECT concat_ws(':', id, status, chunks_done, finished_at) FROM nightly_nightlyrun ORDER BY id DESC LIMIT 1),
  count(*), sum(id), sum(program_id), sum(date_of_service - DATE '2000-01-01')
FROM services_service WHERE status = %(show)s
"""


def freshness_token() -> str:
    with connection.cursor() as cursor:
        cursor.execute(FRESHNESS_SQL, {"show": Service.Status.SHOW})
        return repr(cursor.fetchone())


def attention_counts(user: Any, *, rules: dict[str, Rule] | None = None) -> AttentionCounts:
    """Failing services by reason, by program and by month of service.

    The figures are counted by two grouped queries over every failing service of the scope (a few
    hundred milliseconds at a million services), so they are kept in the cache with the
    `freshness_token` they were counted at, and counted again only when that token changes.
    """
    rules = rules if rules is not None else rules_by_code()
    key = _scope_key(user)
    if key is None:
        return _attention_from_figures(_count_attention(user), rules)
    token = freshness_token()
    cache_key = f"reports:attention:{key}"
    cached = cache.get(cache_key)
    if cached is not None and cached[0] == token:
        figures = cached[1]
    else:
        figures = _count_attention(user)
        cache.set(cache_key, (token, figures), timeout=None)
    return _attention_from_figures(figures, rules)


def _count_attention(user: Any) -> dict[str, Any]:
    """Two grouped queries: by program and month (the total is their sum), and by reason."""
    grouped = (
        failing_services(user)
        .annotate(month=TruncMonth("date_of_service"))
        .values("program_id", "program__code", "program__name", "month")
        .annotate(count=Count("id"))
        .order_by()
    )
    programs: dict[int, dict[str, Any]] = {}
    months: dict[dt.date, int] = {}
    for row in grouped:
        entry = programs.setdefault(
            row["program_id"],
            {"program": row["program_id"], "code": row["program__code"], "name": row["program__name"], "count": 0},
        )
        entry["count"] += row["count"]
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        months[month] = months.get(month, 0) + row["count"]
    reasons = dict(
        ServiceFailure.objects.filter(
            service__in=scope_queryset(Service.objects.filter(status=Service.Status.SHOW), user)
        )
        .values("rule_id")
        .annotate(count=Count("id"))
        .values_list("rule_id", "count")
        .order_by()
    )
    return {
        "programs": sorted(programs.values(), key=lambda entry: (-entry["count"], entry["code"])),
        "months": [{"month": month, "count": months[month]} for month in sorted(months)],
        "reasons": reasons,
    }


def _attention_from_figures(figures: dict[str, Any], rules: dict[str, Rule]) -> AttentionCounts:
    by_id = {rule.pk: rule for rule in rules.values()}
    by_reason = [(by_id[rule_id], count) for rule_id, count in figures["reasons"].items() if rule_id in by_id]
    by_reason.sort(key=lambda pair: (-pair[1], pair[0].position, pair[0].code))
    return AttentionCounts(
        total=sum(entry["count"] for entry in figures["programs"]),
        by_reason=by_reason,
        by_program=[dict(entry) for entry in figures["programs"]],
        by_month=[dict(entry) for entry in figures["months"]],
    )


@dataclass
class FailingService:
    service: Service
    reasons: list[Rule] = field(default_factory=list)


def oldest_failing(user: Any, *, rules: dict[str, Rule], limit: int = OLDEST_SHOWN) -> list[FailingService]:
    """The queue, oldest date of service first, with each reason's message and hint."""
    services = service_error_rows(user)[:limit]
    return [
        FailingService(service, [rules[code] for code in service.failure_codes if code in rules])  # type: ignore[attr-defined]
        for service in services
    ]


@dataclass
class TrendPoint:
    run: NightlyRun
    failing: int


def last_run() -> NightlyRun | None:
    return NightlyRun.objects.filter(dry_run=False).order_by("-created_at", "-id").first()


def failing_trend(user: Any, *, runs: int = TREND_RUNS) -> list[TrendPoint]:
    """Failing services after each of the recent finished runs, oldest run first.

    The county reads the run's own figure; a provider's figure is counted from the failure history
    of their agency's services (one grouped query over those runs).
    """
    recent = list(
        NightlyRun.objects.filter(dry_run=False, status=NightlyRun.Status.SUCCEEDED).order_by("-created_at", "-id")[
            :runs
        ]
    )
    recent.reverse()
    if getattr(user, "sees_all_agencies", False):
        return [TrendPoint(run, run.services_failed) for run in recent]
    # A finished run's history never changes: counted once per agency and set of runs, then cached.
    run_ids = [run.pk for run in recent]
    cache_key = f"reports:trend:{_scope_key(user)}:{','.join(map(str, run_ids))}"
    counts = cache.get(cache_key)
    if counts is None:
        counts = dict(
            FailureHistory.objects.filter(run__in=run_ids)
            .filter(service__in=scope_queryset(Service.objects.all(), user))
            .values("run_id")
            .annotate(count=Count("service_id", distinct=True))
            .values_list("run_id", "count")
            .order_by()
        )
        cache.set(cache_key, counts, timeout=None)
    return [TrendPoint(run, counts.get(run.pk, 0)) for run in recent]


# ---- Services Diagnosis Error report -----------------------------------------------------------


def diagnosis_error_rows(user: Any) -> QuerySet[Any]:
    """One row per client and program with a diagnosis failure on a service in Show."""
    first_dx = (
        DiagnosisDocument.objects.filter(
            client_id=OuterRef("service__client_id"), program_id=OuterRef("service__program_id")
        )
        .order_by("effective_date")
        .values("effective_date")[:1]
    )
    return (
        ServiceFailure.objects.filter(
            rule__code__startswith="DX_",
            service__in=scope_queryset(Service.objects.filter(status=Service.Status.SHOW), user),
        )
        .values(
            "service__client_id",
            "service__client__last_name",
            "service__client__first_name",
            "service__program_id",
            "service__program__code",
            "service__program__name",
            "service__program__agency__name",
        )
        .annotate(
            first_problem_dos=Min("service__date_of_service"),
            codes=ArrayAgg("rule__code", order_by=("service__date_of_service", "service_id", "rule__position")),
            services=Count("service_id", distinct=True),
            first_dx_effective=Subquery(first_dx, output_field=models.DateField()),
        )
        .order_by("first_problem_dos", "service__client_id", "service__program_id")
    )


def diagnosis_error_record(row: dict[str, Any], *, rules: dict[str, Rule]) -> dict[str, Any]:
    codes: list[str] = list(dict.fromkeys(row["codes"]))
    error_type = codes[0]
    return {
        "agency": row["service__program__agency__name"],
        "program": row["service__program_id"],
        "program_code": row["service__program__code"],
        "program_name": row["service__program__name"],
        "client": row["service__client_id"],
        "client_name": f"{row['service__client__last_name']}, {row['service__client__first_name']}",
        "error_type": error_type,
        "error_message": rules[error_type].message if error_type in rules else error_type,
        "other_error_types": codes[1:],
        "other_error_messages": failure_messages(codes[1:], rules),
        "services": row["services"],
        "first_problem_service_date": row["first_problem_dos"],
        "first_diagnosis_effective_date": row["first_dx_effective"],
    }


# ---- Program Coverage Report -------------------------------------------------------------------


def program_coverage_rows(user: Any, *, on: dt.date | None = None) -> QuerySet[Enrollment]:
    """Open enrollments with the client's first four current coverages and the three flags."""
    on = on or today()
    current = Coverage.objects.filter(
        Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on)), client_id=OuterRef("client_id")
    )
    payers = current.order_by("priority", "start_date", "id").values(
        json=JSONObject(
            payer="payer__name",
            payer_type="payer__payer_type",
            priority="priority",
            insured_id="insured_id",
            subscriber_is_client="subscriber_is_client",
        )
    )[:PAYERS_SHOWN]
    return (
        scope_queryset(Enrollment.objects.filter(status=Enrollment.Status.ENROLLED), user)
        .select_related("client", "program", "program__agency")
        .only(
            "id",
            "enrolled_date",
            "status",
            "client__id",
            "client__first_name",
            "client__last_name",
            "program__id",
            "program__code",
            "program__name",
            "program__agency__id",
            "program__agency__name",
        )
        .annotate(
            payers=ArraySubquery(payers),
            flag_no_coverage=~Exists(current),
            flag_missing_cin=Exists(current.filter(insured_id="")),
            flag_not_subscriber=Exists(
                current.filter(payer__payer_type__in=Payer.MEDI_CAL_TYPES, subscriber_is_client=False)
            ),
        )
        .order_by("program__code", "client__last_name", "client__first_name", "client_id", "id")
    )


def program_coverage_record(enrollment: Enrollment) -> dict[str, Any]:
    record: dict[str, Any] = {
        "enrollment": enrollment.pk,
        "agency": enrollment.program.agency.name,
        "program": enrollment.program_id,
        "program_code": enrollment.program.code,
        "program_name": enrollment.program.name,
        "client": enrollment.client_id,
        "client_name": f"{enrollment.client.last_name}, {enrollment.client.first_name}",
        "enrolled_date": enrollment.enrolled_date,
    }
    payers = list(enrollment.payers)  # type: ignore[attr-defined]
    for index in range(PAYERS_SHOWN):
        payer = payers[index] if index < len(payers) else None
        record[f"payer_{index + 1}"] = payer["payer"] if payer else ""
        record[f"insured_id_{index + 1}"] = payer["insured_id"] if payer else ""
    record["no_coverage"] = bool(enrollment.flag_no_coverage)  # type: ignore[attr-defined]
    record["missing_cin"] = bool(enrollment.flag_missing_cin)  # type: ignore[attr-defined]
    record["not_subscriber"] = bool(enrollment.flag_not_subscriber)  # type: ignore[attr-defined]
    return record
