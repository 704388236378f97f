"""Template helpers that render Django form fields with GOV.UK Frontend markup:
`{% govuk_field form.x %}` is the one way a template draws a form control (a test holds
every template to it)."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tellonce.core.forms import PART_WIDTHS, DateInput

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


def _choices_kind(widget: forms.Widget) -> str | None:
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    return None


@register.filter
def govuk_anchor(field: forms.BoundField) -> str:
    """The id of a field's first box, where the error summary's link for it lands."""
    widget = field.field.widget
    if isinstance(widget, DateInput):
        return f"{field.auto_id}_{widget.parts[0]}"
    if _choices_kind(widget):
        return str(field.auto_id)
    return str(field.id_for_label or field.auto_id)


def _date_boxes(field: forms.BoundField, widget: DateInput) -> list[dict[str, Any]]:
    values = field.value()
    if not isinstance(values, list | tuple):
        values = widget.decompress(values)
    return [
        {
            "label": part.capitalize(),
            "name": f"{field.html_name}_{part}",
            "id": f"{field.auto_id}_{part}",
            "value": "" if value is None else value,
            "width": PART_WIDTHS[part],
        }
        for part, value in zip(widget.parts, values, strict=False)
    ]


@register.simple_tag
def govuk_field(
    field: forms.BoundField, size: str = "s", label_class: str = "", small: bool = False
) -> SafeString:
    """Every form control on every page, drawn the GOV.UK way from its field: a label,
    hint and error for a box, a list or a text area; a fieldset with the question as
    its legend for radios, checkboxes and a date; a single checkbox with its label.
    `size` is the legend's (s, m, l), `label_class` a box label's extra class (for
    example "govuk-label--m"), `small` the small radios or checkboxes."""
    widget = field.field.widget
    context: dict[str, Any] = {"field": field, "size": size, "small": small}
    if isinstance(widget, forms.HiddenInput):
        return field.as_widget()
    if isinstance(widget, DateInput):
        context["boxes"] = _date_boxes(field, widget)
        name = "govuk/date_input.html"
    elif kind := _choices_kind(widget):
        context["kind"] = kind
        name = "govuk/choices.html"
    elif isinstance(widget, forms.CheckboxInput):
        name = "govuk/checkbox.html"
    else:
        context["label_class"] = label_class
        name = "govuk/field.html"
    return render_to_string(name, context)


@register.simple_tag
def govuk_checkbox_group(legend: str, *fields: forms.BoundField, size: str = "s") -> SafeString:
    """Yes-or-no fields asked together as one question ("Show: overdue only, due today,
    mine"): GOV.UK checkboxes in a fieldset whose legend is `legend`."""
    return render_to_string(
        "govuk/checkbox_group.html", {"legend": legend, "fields": fields, "size": size}
    )


@register.filter
def percent(probability: float | None) -> str:
    """0.98642 -> "98.6%": one decimal, so 98.6% is not shown as 99%."""
    if probability is None:
        return "Not known"
    return f"{probability * 100:.1f}%"
