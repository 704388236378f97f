from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from tellonce.core.dates import InvalidDateError, PartialDate
from tellonce.core.forms import CheckedForm, DateParts
from tellonce.involvements.models import Capacity
from tellonce.people.models import IdentifierScheme
from tellonce.record.selectors import PersonQuery


class PersonSearchForm(CheckedForm):
    given_name = forms.CharField(label="First name", required=False, max_length=100)
    family_name = forms.CharField(label="Last name", required=False, max_length=100)
    dob_day = forms.CharField(label="Day", required=False, max_length=2)
    dob_month = forms.CharField(label="Month", required=False, max_length=2)
    dob_year = forms.CharField(label="Year", required=False, max_length=4)
    identifier = forms.CharField(
        label="NHS number, unique pupil number or reference",
        required=False,
        max_length=40,
        help_text="Search by identifier alone, or by name and date of birth",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("given_name", "family_name"):
            self.fields[name].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
        for name in ("dob_day", "dob_month", "dob_year"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        try:
            data["date_of_birth"] = PartialDate.from_parts(
                data.get("dob_day", ""),
                data.get("dob_month", ""),
                data.get("dob_year", ""),
                today=timezone.localdate(),
            )
        except InvalidDateError as exc:
            self.add_error("dob_day", str(exc))
            return data
        for field, message in PersonQuery.from_fields(data).problems().items():
            self.add_error(field, message)
        return data

    @property
    def query(self) -> PersonQuery:
        return PersonQuery.from_fields(self.cleaned_data or {})


class IdentifierAddForm(CheckedForm):
    scheme = forms.ChoiceField(
        label="Type of identifier",
        choices=[("", "Choose a type"), *IdentifierScheme.choices],
        error_messages={"required": "Choose the type of identifier"},
    )
    value = forms.CharField(
        label="Identifier",
        max_length=40,
        error_messages={"required": "Enter the identifier"},
    )


class ArchiveForm(CheckedForm):
    reason = forms.CharField(
        label="Why is this wrong?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why this identifier is wrong"},
    )


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


class InvolvementRefuseForm(CheckedForm):
    reason = forms.CharField(
        label="Why is it not confirmed?",
        help_text="The practitioner who recorded it is told, and the involvement ends.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the involvement is not confirmed"},
    )
