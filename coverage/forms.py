"""Forms of the coverage pages (a client's coverage, on the client record)."""

from __future__ import annotations

from django import forms

from clients.forms import DATE_WIDGET
from coverage.models import Payer


class CoverageForm(forms.Form):
    payer = forms.ModelChoiceField(queryset=Payer.objects.order_by("name"), label="Coverage plan")
    priority = forms.IntegerField(min_value=1, max_value=99, initial=1, help_text="1 is billed first.")
    start_date = forms.DateField(widget=DATE_WIDGET)
    end_date = forms.DateField(widget=DATE_WIDGET, required=False, help_text="Blank while the coverage is open.")
    insured_id = forms.CharField(label="Insured ID (CIN)", max_length=30, required=False)
    subscriber_is_client = forms.BooleanField(label="The client is the subscriber", required=False, initial=True)
