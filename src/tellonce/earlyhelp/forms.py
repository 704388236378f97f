"""Forms for the early help pages. They parse what was typed; the services decide
whether it is enough and say so field by field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from tellonce.core.forms import CheckedForm, GovukDateField
from tellonce.earlyhelp.models import Closure
from tellonce.earlyhelp.services import Consent


def _text(label: str, help_text: str = "", *, rows: int = 0) -> Any:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, help_text=help_text, required=False, widget=widget)


def _lead_choices(people: Sequence[Any]) -> list[tuple[str, str]]:
    return [("", "Choose a practitioner")] + [
        (str(p.pk), f"{p.get_full_name()}, {p.team.named}" if p.team else p.get_full_name())
        for p in people
    ]


class LeadChoice(CheckedForm):
    lead = forms.ChoiceField(
        label="Lead professional",
        help_text="The practitioner, from any agency, who will coordinate the family's help."
        " They are asked, and early help opens when they accept.",
        required=False,
    )

    def __init__(self, *args: Any, people: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        lead = self.fields["lead"]
        assert isinstance(lead, forms.ChoiceField)
        lead.choices = _lead_choices(people)

    @property
    def chosen(self) -> Any:
        return self.people.get(self.cleaned_data.get("lead") or "")


class ConsentFields(CheckedForm):
    consent_given_on = GovukDateField(
        label="When did the family agree to early help?",
        what="the date the family agreed",
        when="past",
        required=False,
    )
    consent_given_by = _text(
        "Who agreed?",
        "Their name and who they are to the child, for example 'Amina Taylor, mother'",
    )
    consent_to_share = _text(
        "What did they agree may be shared, and with whom?",
        "For example: 'everything in the assessment with the school, the health visitor and"
        " the family hub; not the father's health'",
        rows=3,
    )

    def consent(self) -> Consent:
        data = self.cleaned_data
        return Consent(
            given_on=data.get("consent_given_on"),
            given_by=data.get("consent_given_by", ""),
            to_share=data.get("consent_to_share", ""),
        )


class RequestForm(LeadChoice, ConsentFields):
    reason = _text(
        "What does the family need help with, and why now?",
        "What you have seen or been told, and what the family says they need",
        rows=5,
    )


class AnswerForm(ConsentFields):
    answer = forms.ChoiceField(
        label="Will you lead this early help?",
        choices=[("accept", "Yes, I will lead it"), ("decline", "No, I cannot lead it")],
        required=False,
        widget=forms.RadioSelect,
    )
    decline_reason = _text("If not, why not?", "So whoever asked can find someone else", rows=3)


class OfferForm(LeadChoice):
    pass


class CloseForm(CheckedForm):
    closure = forms.ChoiceField(
        label="Why is early help closing?",
        choices=Closure.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    close_reason = _text(
        "What changed for the family, and what happens next?",
        "Which needs were met, and who the family can go back to",
        rows=4,
    )
