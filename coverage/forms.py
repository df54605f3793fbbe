"""Forms of the coverage pages (a client's coverage, on the client record)."""

from __future__ import annotations

from django import forms

from clients.forms import DATE_WIDGET
from common import bounds
from coverage.models import Payer


class CoverageForm(forms.Form):
    payer = forms.ModelChoiceField(queryset=Payer.objects.order_by("name"), label="Coverage plan")
    priority = forms.IntegerField(min_value=1, max_value=bounds.PRIORITY_MAX, initial=1, help_text="1 is billed first.")
    start_date = forms.DateField(widget=DATE_WIDGET, validators=bounds.date_validators())
    end_date = forms.DateField(
        widget=DATE_WIDGET,
        required=False,
        help_text="Blank while the coverage is open.",
        validators=bounds.date_validators(),
    )
    insured_id = forms.CharField(label="Insured ID (CIN)", max_length=30, required=False)
    subscriber_is_client = forms.BooleanField(label="The client is the subscriber", required=False, initial=True)
