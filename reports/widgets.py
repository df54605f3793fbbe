"""A select that renders its options in Python: hundreds of clinicians would otherwise cost a
template render per option on every Services list request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class FastSelect(forms.Select):
    """`agency_attr`: each model option also carries `data-agency` (its instance's agency id), so a
    script can narrow the list to the agency chosen in another select (static/js/portal.js)."""

    def __init__(self, *args: Any, agency_attr: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency_attr = agency_attr

    def _extra(self, choice: Any) -> str:
        instance = getattr(choice, "instance", None)
        if not self.agency_attr or instance is None:
            return ""
        return format_html(' data-agency="{}"', getattr(instance, "agency_id", ""))

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}{}>{}</option>',
            (
                (
                    str(self._value(choice)),
                    SafeString(self._extra(choice)),
                    SafeString(" selected") if str(self._value(choice)) in selected else "",
                    label,
                )
                for choice, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)

    @staticmethod
    def _value(value: Any) -> Any:
        # ModelChoiceIterator yields ModelChoiceIteratorValue; the empty choice is "".
        return getattr(value, "value", value)
