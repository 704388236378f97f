"""Form helpers shared by every app's views: a service's problems shown on the form's
fields, and the GOV.UK date input (day, month and year boxes) as a form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import Form
from django.utils import timezone


def form_errors_from(
    form: Form, exc: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's validation errors on the form: on their field where the form has
    it (or on the form field `fields` names for it), at the top otherwise."""
    for field, errors in exc.message_dict.items():
        target = (fields or {}).get(field, field)
        for error in errors:
            form.add_error(target if target in form.fields else None, error)


class DateParts(forms.Form):
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
