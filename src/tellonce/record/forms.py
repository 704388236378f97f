from __future__ import annotations

from typing import Any

from django import forms

from tellonce.core.forms import CheckedForm, DateForm, GovukDateField
from tellonce.involvements.models import Capacity
from tellonce.people.models import IdentifierScheme
from tellonce.record.selectors import PersonQuery


class PersonSearchForm(CheckedForm):
    given_name = forms.CharField(label="First name", required=False, max_length=100)
    family_name = forms.CharField(label="Last name", required=False, max_length=100)
    dob = GovukDateField(
        label="Date of birth",
        partial=True,
        help_text="For example, 27 3 2015. You can give just the year, or the month and year",
    )
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

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.has_error("dob"):
            return data
        data["date_of_birth"] = data.get("dob")
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


class InvolvementStartForm(DateForm):
    date_label = "Date you started"
    date_after = "capacity"

    capacity = forms.ChoiceField(
        label="How your team is working with them",
        choices=[("", "Choose one"), *Capacity.choices],
        error_messages={"required": "Choose how your team is working with them"},
    )
    is_lead_professional = forms.BooleanField(
        label="I am the lead professional for this child", required=False
    )

    def lead_is(self, lead: Any, person: Any) -> None:
        """Say under the checkbox who leads now, so no one takes the role unknowingly."""
        if lead is None:
            now = f"No lead professional is named for {person.given_name}."
        else:
            who = f"{lead.practitioner.get_full_name()}, " if lead.practitioner else ""
            now = f"The lead professional now is {who}{lead.team.name}."
        self.fields["is_lead_professional"].help_text = now


class InvolvementEndForm(DateForm):
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
