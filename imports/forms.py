"""Forms of the import pages: they parse and label input; `imports.actions` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms

from clients.models import Agency
from imports.models import Import


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds", choices=Import.Kind.choices, widget=forms.RadioSelect, initial="services"
    )
    agency = forms.ModelChoiceField(
        label="Import into agency", queryset=Agency.objects.all(), required=False, empty_label="Choose the agency"
    )
    file = forms.FileField(
        label="File (.csv or .xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        help_text="One record per row, with the header row of the template. Nothing is written unless every row is right.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not user.sees_all_agencies:
            # A provider admin imports into their own agency: no choice to make.
            del self.fields["agency"]
        else:
            self.fields["agency"].required = True
