"""Forms of the client pages. They parse and label input; the actions decide and write.

An action's `ValidationError({"field": [...]})` is put back on the form with `add_action_errors`, so
the message shows on the field it names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict

from clients.models import Enrollment, Program
from coverage.models import Payer
from services.models import Authorization, Procedure

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def posted_data(request: HttpRequest) -> QueryDict | None:
    """The submitted data on POST, even when empty (a bound form then says what is missing), else None."""
    return request.POST if request.method == "POST" else None


def add_action_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put an action's errors on the fields they name; errors about other names go on top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label="Search clients",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Last name, first name or client id", "autocomplete": "off"}),
    )


class ClientInformationForm(forms.Form):
    """Name, date of birth, SSN and address. The SSN is never shown back: blank keeps the one on file."""

    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(widget=DATE_WIDGET)
    ssn = forms.CharField(
        label="SSN",
        required=False,
        max_length=11,
        help_text="9 digits. Shown masked once saved.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    address_street = forms.CharField(
        label="Street", required=False, max_length=200, help_text="Street only, or HOMELESS."
    )
    address_city = forms.CharField(label="City", required=False, max_length=100)
    address_state = forms.CharField(label="State", required=False, max_length=2, help_text="2 letters, e.g. CA.")
    address_zip = forms.CharField(label="Zip", required=False, max_length=10, help_text="5 or 9 digits.")
    billing_address = forms.BooleanField(label="This is the billing address", required=False)


class ClientCreateForm(ClientInformationForm):
    """A new client, assigned to a first program so it belongs to the agency that created it."""

    financial_info_complete = forms.BooleanField(label="Financial Information is Complete", required=False)
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(),
        label="First program assignment",
        help_text="The client is requested in this program.",
    )
    requested_date = forms.DateField(widget=DATE_WIDGET, initial=dt.date.today)

    def __init__(self, *args: Any, programs: Any, program_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program_field = self.fields["program"]
        assert isinstance(program_field, forms.ModelChoiceField)
        program_field.queryset = programs
        program_field.required = program_required
        self.fields["requested_date"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("program") and not cleaned.get("requested_date"):
            self.add_error("requested_date", "Give the date the program assignment was requested.")
        return cleaned


class AccountForm(forms.Form):
    financial_info_complete = forms.BooleanField(label="Financial Information is Complete", required=False)


class EnrollmentForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none())
    requested_date = forms.DateField(widget=DATE_WIDGET, initial=dt.date.today)

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program_field = self.fields["program"]
        assert isinstance(program_field, forms.ModelChoiceField)
        program_field.queryset = programs


class EnrollmentStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Enrollment.Status.ENROLLED, "Enroll"), (Enrollment.Status.DISCHARGED, "Discharge")]
    )
    on_date = forms.DateField(label="On", widget=DATE_WIDGET, initial=dt.date.today)


class CoverageForm(forms.Form):
    payer = forms.ModelChoiceField(queryset=Payer.objects.order_by("name"), label="Coverage plan")
    priority = forms.IntegerField(min_value=1, max_value=99, initial=1, help_text="1 is billed first.")
    start_date = forms.DateField(widget=DATE_WIDGET)
    end_date = forms.DateField(widget=DATE_WIDGET, required=False, help_text="Blank while the coverage is open.")
    insured_id = forms.CharField(label="Insured ID (CIN)", max_length=30, required=False)
    subscriber_is_client = forms.BooleanField(label="The client is the subscriber", required=False, initial=True)


class DiagnosisForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none())
    effective_date = forms.DateField(widget=DATE_WIDGET)
    end_date = forms.DateField(widget=DATE_WIDGET, required=False, help_text="Blank while the diagnosis is open.")
    codes = forms.CharField(
        label="ICD-10-CM codes",
        help_text="In billing order, separated by commas or spaces (e.g. F32.9, F41.1).",
        max_length=200,
    )
    signed = forms.BooleanField(label="Sign now", required=False)

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program_field = self.fields["program"]
        assert isinstance(program_field, forms.ModelChoiceField)
        program_field.queryset = programs

    def clean_codes(self) -> list[str]:
        return [code for code in re.split(r"[\s,;]+", self.cleaned_data["codes"]) if code]


class DiagnosisEditForm(DiagnosisForm):
    """Dates and codes of a diagnosis on file; signing stays the Sign button's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["signed"]


class AuthorizationForm(forms.Form):
    payer = forms.ModelChoiceField(queryset=Payer.objects.order_by("name"), label="Coverage plan")
    procedure = forms.ModelChoiceField(queryset=Procedure.objects.order_by("code", "modifier"))
    tar_number = forms.CharField(
        label="TAR number", max_length=40, required=False, help_text="Blank only for a presumptive authorization."
    )
    start_date = forms.DateField(widget=DATE_WIDGET)
    end_date = forms.DateField(widget=DATE_WIDGET)
    quantity = forms.IntegerField(min_value=1, help_text="Units approved.")
    status = forms.ChoiceField(choices=Authorization.Status.choices, initial=Authorization.Status.APPROVED)
    presumptive = forms.BooleanField(
        label="Presumptive authorization",
        required=False,
        help_text="Granted by the plan before a TAR (no TAR number needed); it counts as approved.",
    )
