"""Forms of the reports app's own pages: a correction deadline phase."""

from __future__ import annotations

from django import forms

from common.bounds import date_validators
from reports.filters import MonthInput

MONTH_FORMATS = ["%Y-%m"]


class DeadlineForm(forms.Form):
    label = forms.CharField(label="Phase", max_length=100, help_text="As the county's memo names it, e.g. Phase 1.")
    month_from = forms.DateField(
        label="First month of service",
        input_formats=MONTH_FORMATS,
        validators=date_validators(),
        widget=MonthInput(format="%Y-%m", attrs={"placeholder": "YYYY-MM"}),
    )
    month_to = forms.DateField(
        label="Last month of service",
        input_formats=MONTH_FORMATS,
        validators=date_validators(),
        widget=MonthInput(format="%Y-%m", attrs={"placeholder": "YYYY-MM"}),
    )
    due_date = forms.DateField(
        label="Corrections due",
        validators=date_validators(),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Services of these months are overdue after this day.",
    )


class DeleteDeadlineForm(forms.Form):
    confirm = forms.BooleanField(
        label="Delete this phase: its months fall back to the default due date.", required=True
    )
