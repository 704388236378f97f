"""The police officer's form: the incident and one child of the household (a child
chosen from TellOnce, or their details); more children are added one by one."""

from __future__ import annotations

from typing import Any

from django import forms

from tellonce.encompass.services import ChildDetails, IncidentDetails


class IncidentForm(forms.Form):
    police_ref = forms.CharField(label="Police reference", required=False)
    occurred_at = forms.DateTimeField(
        label="Date and time of the incident",
        help_text="For example, 2026-05-02 23:10",
        required=False,
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
    )
    place = forms.CharField(label="Where it happened", required=False)
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)
    given_name = forms.CharField(label="Child's first name", required=False)
    family_name = forms.CharField(label="Child's last name", required=False)
    date_of_birth = forms.DateField(
        label="Child's date of birth", help_text="For example, 2018-05-02", required=False
    )
    present = forms.TypedChoiceField(
        label="Was the child present?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    voice = forms.CharField(
        label="What the child said, or how they presented", widget=forms.Textarea, required=False
    )

    def details(self) -> IncidentDetails:
        data: dict[str, Any] = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        child = ChildDetails(
            person_id=data.get("person"),
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            date_of_birth=data.get("date_of_birth"),
            present=data.get("present"),
            voice=data.get("voice") or "",
        )
        return IncidentDetails(
            police_ref=data.get("police_ref") or "",
            occurred_at=data.get("occurred_at"),
            place=data.get("place") or "",
            children=[child],
        )


#: The services' field names, as this form names them.
FIELDS = {
    "children": "given_name",
    "children-0-person": "person",
    "children-0-given_name": "given_name",
    "children-0-family_name": "family_name",
    "children-0-date_of_birth": "date_of_birth",
    "children-0-present": "present",
    "children-0-voice": "voice",
}
