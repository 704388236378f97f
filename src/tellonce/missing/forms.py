"""Forms for the missing pages. They parse what was typed; the services decide
whether it is enough and say so field by field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from tellonce.core.forms import CheckedForm, GovukDateField
from tellonce.missing.models import Risk
from tellonce.missing.services import EpisodeDetails, InterviewDetails
from tellonce.organisations.models import Team


def _text(label: str, help_text: str = "", *, rows: int = 0) -> Any:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, help_text=help_text, required=False, widget=widget)


class EpisodeForm(CheckedForm):
    last_seen = GovukDateField(
        label="When were they last seen?",
        what="the time they were last seen",
        with_time=True,
        when="past",
    )
    last_seen_where = _text("Where were they last seen?", "An address or a place")
    circumstances = _text(
        "What happened?",
        "The circumstances, what they were wearing, who they might be with, where they might go",
        rows=5,
    )
    risk = forms.ChoiceField(
        label="Risk",
        choices=Risk.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    reporter_name = _text("Your name")
    reporter_role = _text("Your role")
    reporter_phone = _text("A phone number the police can reach you on now")
    police_ref = _text("Police reference, if you have one")

    #: Where each service field's error goes on this form.
    FIELDS = {"last_seen_at": "last_seen"}

    def details(self) -> EpisodeDetails:
        data = self.cleaned_data
        return EpisodeDetails(
            last_seen_at=data.get("last_seen"),
            last_seen_where=data.get("last_seen_where", ""),
            circumstances=data.get("circumstances", ""),
            risk=data.get("risk", ""),
            reporter_name=data.get("reporter_name", ""),
            reporter_role=data.get("reporter_role", ""),
            reporter_phone=data.get("reporter_phone", ""),
            police_ref=data.get("police_ref", ""),
        )


class ReturnForm(CheckedForm):
    returned = GovukDateField(
        label="When did they return?", what="the time they returned", with_time=True, when="past"
    )
    return_details = _text("Where were they found, or how did they come back?", rows=4)

    FIELDS = {"returned_on": "returned"}

    def returned_on(self) -> datetime | None:
        returned: datetime | None = self.cleaned_data.get("returned")
        return returned


class InterviewForm(CheckedForm):
    why_left = _text("Why did they go?", "What the child said about why they went", rows=3)
    where_went = _text("Where did they go?", rows=3)
    with_whom = _text("Who were they with?", rows=3)
    risks = _text("What risks did they face?", rows=3)
    push_factors = _text("Push factors", "What pushed them away from home or placement", rows=3)
    pull_factors = _text("Pull factors", "What drew them away", rows=3)
    child_said = _text("In the child's own words", rows=4)
    exploitation = forms.MultipleChoiceField(
        label="Signs of exploitation",
        help_text="Select all that apply",
        required=False,
        choices=[
            ("cse", "Child sexual exploitation (CSE, factor 11A)"),
            ("cce", "Child criminal exploitation (CCE, factor 24A)"),
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    def details(self) -> InterviewDetails:
        data = self.cleaned_data
        chosen = set(data.get("exploitation") or [])
        return InterviewDetails(
            why_left=data.get("why_left", ""),
            where_went=data.get("where_went", ""),
            with_whom=data.get("with_whom", ""),
            risks=data.get("risks", ""),
            push_factors=data.get("push_factors", ""),
            pull_factors=data.get("pull_factors", ""),
            child_said=data.get("child_said", ""),
            cse_indicators="cse" in chosen,
            cce_indicators="cce" in chosen,
        )


class RefuseForm(CheckedForm):
    refused_reason = _text("Why did the child refuse?", "In their words where you can", rows=4)


class AssignForm(CheckedForm):
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.none(), required=False, empty_label="Choose a team"
    )
    assigned_to = forms.ModelChoiceField(
        label="Practitioner (optional)",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Anyone in the team",
    )

    def __init__(self, *args: Any, teams: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["assigned_to"].queryset = workers  # type: ignore[attr-defined]
        self.fields["assigned_to"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.get_full_name()}, {u.team.name}"
        )


class ArchiveForm(CheckedForm):
    reason = _text("Why was this episode recorded in error?", rows=3)


class FlagReviewForm(CheckedForm):
    reason = _text("What has been done about it?", rows=3)
