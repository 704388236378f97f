"""Template helpers that render Django form fields with GOV.UK Frontend classes."""

from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


def _base_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.Textarea):
        return "govuk-textarea"
    if isinstance(widget, forms.Select):
        return "govuk-select"
    if isinstance(widget, forms.CheckboxInput):
        return "govuk-checkboxes__input"
    return "govuk-input"


@register.filter
def govuk_widget(field: forms.BoundField) -> SafeString:
    widget = field.field.widget
    base = _base_class(widget)
    classes = [base, widget.attrs.get("class", "")]
    if field.errors:
        classes.append(f"{base}--error")
    described_by = []
    if field.help_text:
        described_by.append(f"{field.id_for_label}-hint")
    if field.errors:
        described_by.append(f"{field.id_for_label}-error")
    attrs: dict[str, str | bool] = {"class": " ".join(c for c in classes if c)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def percent(probability: float | None) -> str:
    """0.98642 -> "98.6%": one decimal, so 98.6% is not shown as 99%."""
    if probability is None:
        return "Not known"
    return f"{probability * 100:.1f}%"
