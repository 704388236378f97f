"""Form helpers shared by every app's views: `CheckedForm`, every form's base, which
holds each text field to clean text (`tellonce.core.text`); a service's problems shown
on the form's fields; and the GOV.UK date input (day, month and year boxes) as a form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import Form
from django.utils import timezone

from tellonce.core.text import TextKind, TextProblemError, text_checked


def form_field_kind(field: forms.Field) -> TextKind:
    """A text box is a line; a text area holds words."""
    return TextKind.WORDS if isinstance(field.widget, forms.Textarea) else TextKind.LINE


class CheckedForm(forms.Form):
    """Every form's base. Each text field's value is kept as clean text
    (`text_cleaned`), and refused with a reason naming the field ("Concern must not
    contain control characters", "Reason must be at most 1,000 characters") where it
    is not (`text_problem`). A field without its own `max_length` has its kind's."""

    def full_clean(self) -> None:
        super().full_clean()
        if not hasattr(self, "cleaned_data"):
            return
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if (
                not isinstance(field, forms.CharField)
                or isinstance(field.widget, forms.PasswordInput)
                or not isinstance(value, str)
            ):
                continue
            try:
                kept = text_checked(value, form_field_kind(field), max_length=field.max_length)
            except TextProblemError as problem:
                self.add_error(name, f"{field.label or name.capitalize()} {problem}")
            else:
                self.cleaned_data[name] = kept


def form_errors_from(
    form: Form, exc: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's validation errors on the form: on their field where the form has
    it (or on the form field `fields` names for it), at the top otherwise."""
    for field, errors in exc.message_dict.items():
        target = (fields or {}).get(field, field)
        for error in errors:
            form.add_error(target if target in form.fields else None, error)


class DateParts(CheckedForm):
    """Day, month and year boxes for one date, checked together (GOV.UK date input)."""

    date_label = "Date"

    day = forms.CharField(label="Day", required=False, max_length=2)
    month = forms.CharField(label="Month", required=False, max_length=2)
    year = forms.CharField(label="Year", required=False, max_length=4)

    @property
    def date_parts(self) -> list[tuple[str, forms.BoundField, int]]:
        return [("Day", self["day"], 2), ("Month", self["month"], 2), ("Year", self["year"], 4)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parts = [str(data.get(name) or "").strip() for name in ("day", "month", "year")]
        if not any(parts):
            self.add_error("day", f"Enter the {self.date_label.lower()}")
            return data
        missing = [n for n, v in zip(("day", "month", "year"), parts, strict=True) if not v]
        if missing:
            self.add_error("day", f"The {self.date_label.lower()} must include a {missing[0]}")
            return data
        try:
            day, month, year = (int(p) for p in parts)
            when = date(year, month, day)
        except ValueError:
            self.add_error("day", f"The {self.date_label.lower()} must be a real date")
            return data
        if when > timezone.localdate():
            self.add_error("day", f"The {self.date_label.lower()} must be today or in the past")
            return data
        data["date"] = when
        return data
