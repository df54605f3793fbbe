"""Forms of the Nightly runs page: start a run for a date, override one reason on one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from common import bounds
from nightly.models import Rule


class StartRunForm(forms.Form):
    as_of = forms.DateField(
        label="Run date",
        help_text="Services in Show dated on or before this day are validated.",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[bounds.validate_run_date],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate()

    def clean_as_of(self) -> Any:
        # As the API: a run date in the future would judge timely filing and limits against days not yet lived.
        value = self.cleaned_data["as_of"]
        if value > timezone.localdate():
            raise forms.ValidationError("The run date cannot be in the future.")
        return value


class OverrideForm(forms.Form):
    code = forms.ChoiceField(label="Failure reason")
    reason = forms.CharField(
        label="Why this reason may pass",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Written to the audit trail with your name.",
    )

    def __init__(self, *args: Any, rules: list[Rule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        assert isinstance(code, forms.ChoiceField)
        code.choices = [(rule.code, f"{rule.code}: {rule.message}") for rule in rules]

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Write why this reason may pass.")
        return reason
