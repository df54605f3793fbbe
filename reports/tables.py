"""The Services list as a sortable django-tables2 table (Bootstrap 5 template)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from services.models import Service


def service_url(pk: int) -> str:
    """The service page (client pages engineer's `service-detail`), even before it is mounted."""
    try:
        return reverse("service-detail", kwargs={"pk": pk})
    except NoReverseMatch:
        return f"/services/{pk}/"


def override_url(pk: int) -> str:
    return f"{reverse('nightly-override-add')}?service={pk}"


class ServiceTable(tables.Table):
    date_of_service = tables.Column(verbose_name="DOS", order_by=("date_of_service", "id"))
    client = tables.Column(verbose_name="Client", order_by=("client__last_name", "client__first_name", "client_id"))
    units = tables.Column(verbose_name="Units", attrs={"td": {"class": "text-end"}})
    charge = tables.Column(verbose_name="Charge (rate)", attrs={"td": {"class": "text-end"}})
    procedure = tables.Column(verbose_name="Procedure", order_by=("procedure__code", "procedure__modifier"))
    status = tables.Column(verbose_name="Status")
    clinician = tables.Column(verbose_name="Clinician", order_by=("clinician__last_name", "clinician__first_name"))
    program = tables.Column(verbose_name="Program", order_by=("program__code",))
    location = tables.Column(verbose_name="Location", order_by=("location__name",))
    failure_codes = tables.Column(verbose_name="Failure reasons", orderable=False, empty_values=())

    class Meta:
        model = Service
        template_name = "django_tables2/bootstrap5-responsive.html"
        fields = (
            "date_of_service",
            "client",
            "units",
            "charge",
            "procedure",
            "status",
            "clinician",
            "program",
            "location",
            "failure_codes",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("date_of_service",)

    def __init__(self, *args: Any, rules: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules or {}

    def render_date_of_service(self, value: Any, record: Service) -> str:
        return format_html('<a href="{}">{}</a>', service_url(record.pk), value.isoformat())

    def render_client(self, value: Any, record: Service) -> str:
        return format_html(
            '{}, {} <span class="text-body-secondary small">#{}</span>',
            record.client.last_name,
            record.client.first_name,
            record.client_id,
        )

    def render_charge(self, value: Any, record: Service) -> str:
        return format_html("{} ({})", value, record.rate if record.rate is not None else "—")

    def render_procedure(self, value: Any, record: Service) -> str:
        return record.procedure.display_code

    def render_status(self, value: Any, record: Service) -> str:
        return record.get_status_display()

    def render_clinician(self, value: Any, record: Service) -> str:
        return f"{record.clinician.last_name}, {record.clinician.first_name}"

    def render_program(self, value: Any, record: Service) -> str:
        return record.program.code

    def render_location(self, value: Any, record: Service) -> str:
        return record.location.name

    def render_failure_codes(self, value: Any, record: Service) -> str:
        codes = value or []
        if not codes:
            return ""
        return format_html(
            '<ul class="list-unstyled mb-0 small">{}</ul>',
            format_html_join(
                "",
                '<li><span class="badge text-bg-warning">{}</span> {}</li>',
                ((code, getattr(self.rules.get(code), "message", "")) for code in codes),
            ),
        )
