"""Forms of the client pages (and the form helpers every app's pages share). They parse and label input; the actions decide and write.

An action's `ValidationError({"field": [...]})` is put back on the form with `add_action_errors`, so
the message shows on the field it names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict

from clients.models import Enrollment, Program
from common import bounds

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
    date_of_birth = forms.DateField(
        widget=DATE_WIDGET, validators=[*bounds.date_validators(), bounds.NotInFuture("date of birth")]
    )
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
    requested_date = forms.DateField(widget=DATE_WIDGET, initial=dt.date.today, validators=bounds.date_validators())

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
    requested_date = forms.DateField(widget=DATE_WIDGET, initial=dt.date.today, validators=bounds.date_validators())

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program_field = self.fields["program"]
        assert isinstance(program_field, forms.ModelChoiceField)
        program_field.queryset = programs


class EnrollmentStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Enrollment.Status.ENROLLED, "Enroll"), (Enrollment.Status.DISCHARGED, "Discharge")]
    )
    on_date = forms.DateField(
        label="On", widget=DATE_WIDGET, initial=dt.date.today, validators=bounds.date_validators()
    )
