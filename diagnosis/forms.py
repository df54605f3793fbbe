"""Forms of the diagnosis pages (a client's diagnoses, on the client record)."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from clients.forms import DATE_WIDGET
from clients.models import Program
from common import bounds


class DiagnosisForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none())
    effective_date = forms.DateField(widget=DATE_WIDGET, validators=bounds.date_validators())
    end_date = forms.DateField(
        widget=DATE_WIDGET,
        required=False,
        help_text="Blank while the diagnosis is open.",
        validators=bounds.date_validators(),
    )
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
