from __future__ import annotations

from typing import Any

from django import forms

from tellonce.chronology.models import SYSTEM_KINDS, EventKind
from tellonce.chronology.selectors import ChronologyFilter
from tellonce.core.forms import CheckedForm, DateForm, GovukDateField


class ChronologyFilterForm(CheckedForm):
    agency = forms.TypedChoiceField(label="Agency", required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label="Type of event",
        required=False,
        choices=[("", "All types"), *EventKind.choices],
    )
    since = GovukDateField(label="From", help_text="For example, 1 9 2026")
    until = GovukDateField(label="To", help_text="For example, 30 11 2026")

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "All agencies"), *agencies]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the period must be on or after its start")
        return data

    def filters(self) -> ChronologyFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return ChronologyFilter(
            agency_id=data.get("agency"),
            kind=data.get("kind") or None,
            since=data.get("since"),
            until=data.get("until"),
        )


class ChronologyEventForm(DateForm):
    date_label = "Date of the event"
    date_after = "kind"

    kind = forms.ChoiceField(
        label="Type of event",
        choices=[("", "Choose one")] + [c for c in EventKind.choices if c[0] not in SYSTEM_KINDS],
        error_messages={"required": "Choose what kind of event it was"},
    )
    summary = forms.CharField(
        label="What happened",
        help_text="Facts, in your words. The full detail stays in your agency's record.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say what happened"},
    )
    unscheduled = forms.BooleanField(
        label="This was unscheduled care (A&E, urgent care, out-of-hours GP)", required=False
    )
