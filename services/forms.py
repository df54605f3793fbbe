"""Forms of the service pages: entry, correction (editable fields only) and the Error confirmation."""

from __future__ import annotations

from typing import Any

from django import forms

from clients.models import Location, Program, Staff
from services.models import Procedure, Service
from services.validators import offered_procedures

START_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
START_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class ProcedureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        billable = "" if obj.billable else " (non-billable)"
        return f"{obj.display_code} {obj.name}{billable}"


class CorrectionFields(forms.Form):
    """The fields DOMAIN.md lets staff correct on an unclaimed service (never the clinician)."""

    procedure = ProcedureChoiceField(queryset=Procedure.objects.order_by("code", "modifier"))
    location = forms.ModelChoiceField(queryset=Location.objects.order_by("name"))
    mode_of_delivery = forms.ChoiceField(choices=Service.ModeOfDelivery.choices)
    start = forms.DateTimeField(label="Start (county time)", widget=START_WIDGET, input_formats=START_FORMATS)
    duration_minutes = forms.IntegerField(label="Duration (minutes)", min_value=1, max_value=24 * 60 * 31)
    note_signed = forms.BooleanField(label="Note signed", required=False)
    do_not_complete = forms.BooleanField(
        label="Do Not Complete", required=False, help_text="The nightly run leaves this service alone."
    )
    delay_reason_code = forms.ChoiceField(
        label="Delay reason code",
        choices=[("", "None"), *Service.DelayReason.choices],
        required=False,
        help_text="Needed when the service is billed after the plan's timely filing limit (Medi-Cal: 12 months "
        "after the month of service).",
    )
    billed_amount = forms.DecimalField(
        label="Billed amount",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text="Only for a procedure billed up to a maximum, e.g. the actual housing deposit (at most $5,000).",
    )

    def offer_procedures_of(self, programs: Any) -> None:
        """Offer only the procedures the programs offer; a program listing none offers every procedure."""
        field = self.fields["procedure"]
        assert isinstance(field, forms.ModelChoiceField)
        programs = list(programs)
        if programs and all(offered_procedures(program).exists() for program in programs):
            field.queryset = Procedure.objects.filter(programs__in=programs).distinct().order_by("code", "modifier")


class ServiceCorrectionForm(CorrectionFields):
    def __init__(self, *args: Any, program: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if program is not None:
            self.offer_procedures_of([program])


class ServiceForm(CorrectionFields):
    """A new service of one client; program and clinician are limited to the user's agency."""

    program = forms.ModelChoiceField(queryset=Program.objects.none())
    clinician = forms.ModelChoiceField(queryset=Staff.objects.none())
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
        "billed_amount",
    ]

    def __init__(self, *args: Any, programs: Any, clinicians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("program", programs), ("clinician", clinicians)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        # The procedure list follows the client's programs here; the action refuses (on the procedure
        # field) one that the program chosen does not offer.
        self.offer_procedures_of(programs)


class MarkErrorForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that the note of this service is discarded and the service never bills.",
        required=True,
    )
