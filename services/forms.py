"""Forms of the service pages: entry, correction (editable fields only), the Error confirmation, and
a client's authorizations (TARs)."""

from __future__ import annotations

from typing import Any

from django import forms

from clients.forms import DATE_WIDGET
from clients.models import Location, Program, Staff
from common import bounds
from coverage.models import Payer
from services.models import Authorization, Procedure, Service

START_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
START_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class ProcedureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        billable = "" if obj.billable else " (non-billable)"
        return f"{obj.display_code} {obj.name}{billable}"


class ClinicianChoiceField(forms.ModelChoiceField):
    """Clinicians with credential and NPI, so two of the same name are told apart."""

    def label_from_instance(self, obj: Any) -> str:
        npi = f"NPI {obj.npi}" if obj.npi else "no NPI"
        return f"{obj.last_name}, {obj.first_name} ({obj.credential}, {npi})"


class CorrectionFields(forms.Form):
    """The fields DOMAIN.md lets staff correct on an unclaimed service (never the clinician)."""

    procedure = ProcedureChoiceField(queryset=Procedure.objects.order_by("code", "modifier"))
    location = forms.ModelChoiceField(queryset=Location.objects.order_by("name"))
    mode_of_delivery = forms.ChoiceField(choices=Service.ModeOfDelivery.choices)
    start = forms.DateTimeField(
        label="Start (county time)",
        widget=START_WIDGET,
        input_formats=START_FORMATS,
        validators=[*bounds.datetime_validators(), bounds.NotFarAhead()],
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=bounds.DURATION_MIN, max_value=bounds.DURATION_MAX
    )
    note_signed = forms.BooleanField(label="Note signed", required=False)
    do_not_complete = forms.BooleanField(
        label="Do Not Complete", required=False, help_text="The nightly run leaves this service alone."
    )
    delay_reason_code = forms.CharField(
        label="Delay reason code",
        max_length=2,
        required=False,
        help_text="Needed when the service is billed more than 12 months after its month.",
    )


class ServiceCorrectionForm(CorrectionFields):
    pass


class ServiceForm(CorrectionFields):
    """A new service of one client; program and clinician are limited to the user's agency."""

    program = forms.ModelChoiceField(queryset=Program.objects.none())
    clinician = ClinicianChoiceField(queryset=Staff.objects.none())
    status = forms.ChoiceField(
        choices=[(value, label) for value, label in Service.Status.choices if value != Service.Status.COMPLETE],
        initial=Service.Status.SHOW,
        help_text="A service that happened is Show; only the nightly run completes it.",
    )

    field_order = [
        "program",
        "procedure",
        "clinician",
        "location",
        "start",
        "duration_minutes",
        "mode_of_delivery",
        "status",
        "note_signed",
        "do_not_complete",
        "delay_reason_code",
    ]

    def __init__(self, *args: Any, programs: Any, clinicians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("program", programs), ("clinician", clinicians)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class MarkErrorForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that the note of this service is discarded and the service never bills.",
        required=True,
    )


class AuthorizationForm(forms.Form):
    payer = forms.ModelChoiceField(queryset=Payer.objects.order_by("name"), label="Coverage plan")
    procedure = forms.ModelChoiceField(queryset=Procedure.objects.order_by("code", "modifier"))
    tar_number = forms.CharField(label="TAR number", max_length=40)
    start_date = forms.DateField(widget=DATE_WIDGET, validators=bounds.date_validators())
    end_date = forms.DateField(widget=DATE_WIDGET, validators=bounds.date_validators())
    quantity = forms.IntegerField(min_value=1, max_value=bounds.COUNT_MAX, help_text="Units approved.")
    status = forms.ChoiceField(choices=Authorization.Status.choices, initial=Authorization.Status.APPROVED)
