from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from tellonce.involvements.models import Capacity


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


class InvolvementStartForm(DateParts):
    date_label = "Date you started"

    capacity = forms.ChoiceField(
        label="How your team is working with them",
        choices=[("", "Choose one"), *Capacity.choices],
        error_messages={"required": "Choose how your team is working with them"},
    )
    is_lead_professional = forms.BooleanField(
        label="I am the lead professional for this child", required=False
    )


class InvolvementEndForm(DateParts):
    date_label = "Date it ended"

    reason = forms.CharField(
        label="Why has it ended?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the involvement has ended"},
    )
