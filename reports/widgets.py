"""A select that renders its options in Python: hundreds of clinicians would otherwise cost a
template render per option on every Services list request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class FastSelect(forms.Select):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option_value, SafeString(" selected") if str(option_value) in selected else "", label)
                for option_value, label in ((str(self._value(v)), label) for v, label in self.choices)
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)

    @staticmethod
    def _value(value: Any) -> Any:
        # ModelChoiceIterator yields ModelChoiceIteratorValue; the empty choice is "".
        return getattr(value, "value", value)
