"""Filters of the Services list, shared by the COSD Service Error Report and its API (DOMAIN.md).

One FilterSet so the list page, the report page and `/api/reports/service-errors/` read the same
query-string names as `/api/services/`: `dos_from`, `dos_to`, `program`, `status`, `failure_reason`,
`clinician`, `procedure`, `client`. The choices (programs, clinicians) are scoped to the user, and the
client is chosen by id: a client's name never goes into a URL.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from clients.models import Agency, Enrollment, Program, Staff
from common.scope import scope_queryset
from nightly.catalogue import CATALOGUE
from nightly.models import ServiceFailure
from reports.widgets import FastSelect
from services.models import Procedure, Service

RULE_CHOICES = [(entry.code, entry.message) for entry in CATALOGUE]


def _programs(request: HttpRequest | None) -> QuerySet[Program]:
    user = getattr(request, "user", None)
    return scope_queryset(Program.objects.select_related("agency").order_by("code"), user)


def _clinicians(request: HttpRequest | None) -> QuerySet[Staff]:
    user = getattr(request, "user", None)
    return scope_queryset(Staff.objects.order_by("last_name", "first_name", "id"), user)


def _agencies(request: HttpRequest | None) -> QuerySet[Agency]:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "sees_all_agencies", False):
        return Agency.objects.none()
    return Agency.objects.order_by("name")


def has_failure(code: str | None = None) -> Exists:
    """The service has a current failure reason (of `code`, when given)."""
    failures = ServiceFailure.objects.filter(service_id=OuterRef("pk"))
    if code:
        failures = failures.filter(rule__code=code)
    return Exists(failures)


class DateInput(forms.DateInput):
    input_type = "date"


def _select() -> FastSelect:
    return FastSelect(attrs={"class": "form-select form-select-sm"})


def _program_select() -> FastSelect:
    # Options carry their agency: choosing an agency narrows this list (static/js/portal.js).
    return FastSelect(attrs={"class": "form-select form-select-sm"}, agency_attr=True)


def _agency_select() -> FastSelect:
    return FastSelect(attrs={"class": "form-select form-select-sm", "data-narrows": "id_program"})


class MonthInput(forms.DateInput):
    input_type = "month"


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of `month`'s calendar month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


class MonthFilter(django_filters.DateFilter):
    """A month picker (`?month=2026-09`): dates of service in that calendar month. Beside the from/to
    dates, which stay for other ranges; both apply when both are given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault(
            "widget",
            MonthInput(attrs={"class": "form-control form-control-sm", "placeholder": "YYYY-MM"}, format="%Y-%m"),
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs: Any, value: dt.date | None) -> Any:
        if not value:
            return qs
        first, last = month_bounds(value)
        return qs.filter(**{f"{self.field_name}__gte": first, f"{self.field_name}__lte": last})


def _date() -> DateInput:
    return DateInput(attrs={"class": "form-control form-control-sm"})


def _checkbox() -> forms.CheckboxInput:
    return forms.CheckboxInput(attrs={"class": "form-check-input"})


def _number() -> forms.NumberInput:
    return forms.NumberInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"})


class ServiceFilter(django_filters.FilterSet):
    month = MonthFilter(field_name="date_of_service", label="Month of service")
    dos_from = django_filters.DateFilter(
        field_name="date_of_service", lookup_expr="gte", label="Date of service from", widget=_date()
    )
    dos_to = django_filters.DateFilter(
        field_name="date_of_service", lookup_expr="lte", label="Date of service to", widget=_date()
    )
    program = django_filters.ModelChoiceFilter(
        widget=_program_select(), queryset=_programs, label="Program", empty_label="Any program"
    )
    status = django_filters.ChoiceFilter(
        widget=_select(), choices=Service.Status.choices, label="Status", empty_label="Any status"
    )
    failure_reason = django_filters.ChoiceFilter(
        widget=_select(),
        choices=RULE_CHOICES,
        method="filter_failure_reason",
        label="Failure reason",
        empty_label="Any reason",
    )
    failing = django_filters.BooleanFilter(
        method="filter_failing",
        label="Failing only",
        widget=_checkbox(),
    )
    clinician = django_filters.ModelChoiceFilter(
        widget=_select(), queryset=_clinicians, label="Clinician", empty_label="Any clinician"
    )
    procedure = django_filters.ModelChoiceFilter(
        widget=_select(),
        queryset=Procedure.objects.order_by("code", "modifier"),
        label="Procedure",
        empty_label="Any procedure",
    )
    client = django_filters.NumberFilter(widget=_number(), field_name="client_id", label="Client id", min_value=1)
    agency = django_filters.ModelChoiceFilter(
        widget=_agency_select(),
        queryset=_agencies,
        field_name="program__agency",
        label="Agency",
        empty_label="All agencies",
    )

    class Meta:
        model = Service
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        # A provider sees one agency: the agency filter would only ever offer nothing.
        if not getattr(user, "sees_all_agencies", False):
            self.filters.pop("agency", None)

    def filter_failure_reason(self, queryset: QuerySet[Service], name: str, value: str) -> QuerySet[Service]:
        return queryset.filter(has_failure(value)) if value else queryset

    def filter_failing(self, queryset: QuerySet[Service], name: str, value: bool | None) -> QuerySet[Service]:
        # An unticked box means "any", not "passing only": the box narrows, it never widens. Failing is
        # in Show with a current reason: a service put in Error keeps its last reasons, but no work.
        return queryset.filter(has_failure(), status=Service.Status.SHOW) if value else queryset


class ServiceErrorFilter(ServiceFilter):
    """The COSD Service Error Report: services in Show with a failure, so status and failing are fixed."""

    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue only", widget=_checkbox())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.pop("status", None)
        self.filters.pop("failing", None)

    def filter_overdue(self, queryset: QuerySet[Service], name: str, value: bool | None) -> QuerySet[Service]:
        # `correction_due` and `overdue` are annotated by reports.queries.service_error_rows.
        return queryset.filter(Q(overdue=True)) if value else queryset


class EnrollmentFilter(django_filters.FilterSet):
    """Program Coverage Report filters: program, agency (county), and the flags."""

    program = django_filters.ModelChoiceFilter(
        widget=_program_select(), queryset=_programs, label="Program", empty_label="Any program"
    )
    agency = django_filters.ModelChoiceFilter(
        widget=_agency_select(),
        queryset=_agencies,
        field_name="program__agency",
        label="Agency",
        empty_label="All agencies",
    )
    flagged = django_filters.BooleanFilter(method="filter_flagged", label="Flagged only", widget=_checkbox())

    class Meta:
        model = Enrollment
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not getattr(getattr(self.request, "user", None), "sees_all_agencies", False):
            self.filters.pop("agency", None)

    def filter_flagged(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        # `flag_*` are annotated by reports.queries.program_coverage_rows.
        if not value:
            return queryset
        return queryset.filter(Q(flag_no_coverage=True) | Q(flag_missing_cin=True) | Q(flag_not_subscriber=True))


class DiagnosisErrorFilter(django_filters.FilterSet):
    """Services Diagnosis Error report filters (rows are grouped, so only fields of the group)."""

    program = django_filters.ModelChoiceFilter(
        widget=_program_select(),
        queryset=_programs,
        field_name="service__program",
        label="Program",
        empty_label="Any program",
    )
    agency = django_filters.ModelChoiceFilter(
        widget=_agency_select(),
        queryset=_agencies,
        field_name="service__program__agency",
        label="Agency",
        empty_label="All agencies",
    )
    error_type = django_filters.ChoiceFilter(
        widget=_select(),
        choices=[(code, message) for code, message in RULE_CHOICES if code.startswith("DX_")],
        field_name="rule__code",
        label="Error type",
        empty_label="Any diagnosis error",
    )
    client = django_filters.NumberFilter(
        widget=_number(), field_name="service__client_id", label="Client id", min_value=1
    )

    class Meta:
        model = ServiceFailure
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not getattr(getattr(self.request, "user", None), "sees_all_agencies", False):
            self.filters.pop("agency", None)
