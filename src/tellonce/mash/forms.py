"""Forms for the MASH pages. They parse what was typed; the services decide whether it
is enough (a vague concern, an action without a due date) and say so field by field.

Most fields are therefore optional here: an empty box reaches the service, whose
message names the problem in the practitioner's terms. A form refuses only what it
cannot read (a date that is not a date, a time that is not a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from tellonce.core.forms import CheckedForm, GovukDateField
from tellonce.mash.models import (
    ClosureReason,
    Consent,
    InformationRequest,
    Outcome,
    Rag,
    ReferralSource,
    State,
    StrategyOutcome,
)
from tellonce.mash.selectors import QUEUE_STATES
from tellonce.mash.services import ActionDetails, ChildDetails, ContactDetails, ProposedTeam
from tellonce.people.models import Sex

#: Children a contact form names: one, and up to two more.
CHILD_BLOCKS = 3
#: Actions a decision can set at once (more can be added on the case page).
ACTION_BLOCKS = 3


class Radios(forms.RadioSelect):
    """GOV.UK radios: each choice may carry a hint (`mash/_choices.html` shows it)."""

    def __init__(self, hints: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hints = hints or {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["hint"] = self.hints.get(str(option["value"]), "")
        return option


class Checkboxes(forms.CheckboxSelectMultiple):
    """GOV.UK checkboxes, each with its hint (why this team is proposed)."""

    def __init__(self, hints: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hints = hints or {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["hint"] = self.hints.get(str(option["value"]), "")
        return option


def _text(
    label: str, help_text: str = "", *, rows: int = 0, max_length: int = 200, width: int = 0
) -> Any:
    attrs = {"class": f"govuk-input--width-{width}"} if width else {}
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=None if rows else max_length,
        widget=widget,
    )


def _any(form: forms.Form, names: Sequence[str]) -> bool:
    """Whether anything was typed in the fields `names` (a date's boxes included)."""
    typed = {form.add_prefix(n) for n in names}
    return any(
        str(value or "").strip()
        for key, value in form.data.items()
        if key in typed or key.rpartition("_")[0] in typed
    )


def _checkboxes(
    field: forms.Field, choices: list[tuple[str, str]], hints: dict[str, str] | None = None
) -> None:
    """Give a multiple-choice field its choices, each with a hint."""
    assert isinstance(field, forms.MultipleChoiceField)
    # The widget first: setting the field's choices hands them to its widget.
    field.widget = Checkboxes(hints=hints)
    field.choices = choices


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _invitee_hint(proposed: ProposedTeam) -> str:
    if not proposed.always:
        return _sentence(proposed.reason)
    return "Always invited: " + proposed.reason.replace(" (always invited)", "")


def people_choices(people: Sequence[Any]) -> list[tuple[str, str]]:
    return [("", "Choose a practitioner")] + [
        (str(p.pk), f"{p.get_full_name()}, {p.team.name}" if p.team else p.get_full_name())
        for p in people
    ]


# ----- the contact ------------------------------------------------------------------

_CHILD_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "nhs_number",
)


class ContactForm(CheckedForm):
    """Tell the MASH about a child: the child (chosen from TellOnce, or their details),
    up to two more children, who refers, the concern and the basis for sharing."""

    source = forms.ChoiceField(
        label="Who the contact comes from",
        help_text="The referral source the Department for Education counts",
        choices=[("", "Choose one"), *ReferralSource.choices],
        required=False,
    )
    referrer_name = _text("Your name")
    referrer_role = _text("Your role")
    referrer_phone = _text(
        "Phone number",
        "The MASH may call you today: a number you will answer",
        max_length=40,
        width=20,
    )
    referrer_email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    concern = _text(
        "What worries you about the child?",
        "What happened or what you saw, when, and how it affects the child",
        rows=6,
    )
    help_so_far = _text(
        "What has already been done to help",
        "By you and by others, and how the child and family responded. If nothing, say why.",
        rows=4,
    )
    child_needs = _text(
        "The child's own needs",
        "Their health, development, education and safety, not only the parents' difficulties",
        rows=4,
    )
    child_voice = _text(
        "What the child has said, or how they seem",
        "In their words where you can. If their views are not known, say why.",
        rows=4,
    )
    household = _text(
        "Who the child lives with",
        "Adults and other children, and their relationship to the child",
        rows=3,
    )
    family_knows = forms.ChoiceField(
        label="Does the family know you are contacting the MASH?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=Radios(attrs={"class": "govuk-radios--inline"}),
        required=False,
    )
    consent = forms.ChoiceField(
        label="Does the family agree to the contact?",
        choices=Consent.choices,
        widget=Radios(),
        required=False,
    )
    sharing_reason = _text(
        "Why you are sharing without the family's agreement",
        "Needed when the family has not agreed: what harm to the child you fear if you wait"
        " or ask (Data Protection Act 2018, Schedule 8)",
        rows=4,
    )

    def __init__(self, *args: Any, person: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        #: The children's blocks on the page: 0 is the chosen child when there is one.
        self.blocks = list(range(CHILD_BLOCKS))
        if person is not None:
            self.fields["children-0-person"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=str(person.pk)
            )
        for n in self.blocks:
            if n == 0 and person is not None:
                continue
            prefix = f"children-{n}-"
            self.fields[prefix + "given_name"] = _text("First name")
            self.fields[prefix + "family_name"] = _text("Last name")
            self.fields[prefix + "date_of_birth"] = GovukDateField(
                label="Date of birth",
                what="the child's date of birth",
                help_text="For example, 2 5 2018. Your best estimate if you are not sure.",
                when="past",
            )
            self.fields[prefix + "sex"] = forms.ChoiceField(
                label="Sex",
                choices=[("", "Not known"), (Sex.FEMALE, "Female"), (Sex.MALE, "Male")],
                required=False,
            )
            self.fields[prefix + "postcode"] = _text("Postcode", max_length=10, width=10)
            self.fields[prefix + "nhs_number"] = _text(
                "NHS number", "10 digits, if you know it", max_length=20, width=10
            )
        # The children first, then the rest, as the page shows them.
        self.order_fields([k for k in self.fields if k.startswith("children-")])

    def child(self, n: int) -> dict[str, Any]:
        """Block `n`'s fields by short name, for the template."""
        prefix = f"children-{n}-"
        return {
            "n": n,
            "number": n + 1,
            "open": n == 0 or _any(self, [prefix + f for f in _CHILD_FIELDS]),
            **{f: self[prefix + f] for f in ("given_name", "family_name", "date_of_birth")},
            "sex": self[prefix + "sex"],
            **{f: self[prefix + f] for f in ("postcode", "nhs_number")},
        }

    @property
    def children_blocks(self) -> list[dict[str, Any]]:
        return [self.child(n) for n in self.blocks if not (n == 0 and self.person is not None)]

    def details(self) -> tuple[ContactDetails, list[int]]:
        """What the service needs, and the page block each child came from (the service
        numbers only the children given)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        children: list[ChildDetails] = []
        blocks: list[int] = []
        for n in self.blocks:
            prefix = f"children-{n}-"
            if n == 0 and self.person is not None:
                children.append(ChildDetails(person_id=self.person.pk))
            elif n == 0 or _any(self, [prefix + f for f in _CHILD_FIELDS]):
                children.append(
                    ChildDetails(
                        given_name=data.get(prefix + "given_name", ""),
                        family_name=data.get(prefix + "family_name", ""),
                        date_of_birth=data.get(prefix + "date_of_birth"),
                        sex=data.get(prefix + "sex", ""),
                        postcode=data.get(prefix + "postcode", ""),
                        nhs_number=data.get(prefix + "nhs_number", ""),
                    )
                )
            else:
                continue
            blocks.append(n)
        knows = {"yes": True, "no": False}.get(data.get("family_knows") or "")
        details = ContactDetails(
            children=children,
            source=data.get("source", ""),
            referrer_name=data.get("referrer_name", ""),
            referrer_role=data.get("referrer_role", ""),
            referrer_phone=data.get("referrer_phone", ""),
            referrer_email=data.get("referrer_email", ""),
            concern=data.get("concern", ""),
            help_so_far=data.get("help_so_far", ""),
            child_needs=data.get("child_needs", ""),
            child_voice=data.get("child_voice", ""),
            household=data.get("household", ""),
            family_knows=knows,
            consent=data.get("consent", ""),
            sharing_reason=data.get("sharing_reason", ""),
        )
        return details, blocks


def contact_fields(blocks: Sequence[int]) -> dict[str, str]:
    """Where the service's problems with the n-th child given show on the page."""
    fields = {"children": "", "hub": "", "external_ref": "", "children-0-person": ""}
    for i, n in enumerate(blocks):
        for name in ("given_name", "family_name", "sex", "postcode", "nhs_number"):
            fields[f"children-{i}-{name}"] = f"children-{n}-{name}"
        fields[f"children-{i}-date_of_birth"] = f"children-{n}-date_of_birth"
        fields[f"children-{i}-person"] = ""
    return fields


# ----- the queue --------------------------------------------------------------------

_STATE_CHOICES = [("open", "Open (in progress)"), ("all", "All"), *State.choices]
_RAG_CHOICES = [("", "Any"), *Rag.choices, ("unrated", "Not yet rated")]


class QueueFilterForm(CheckedForm):
    state = forms.ChoiceField(label="State", choices=_STATE_CHOICES, required=False)
    rag = forms.ChoiceField(label="Rating", choices=_RAG_CHOICES, required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)
    due_today = forms.BooleanField(label="Due today only", required=False)
    mine = forms.BooleanField(label="Allocated to me only", required=False)

    def clean_state(self) -> str:
        state = self.cleaned_data.get("state") or "open"
        return state if state in QUEUE_STATES else "open"


# ----- the case ---------------------------------------------------------------------


class ScreenForm(CheckedForm):
    rag = forms.ChoiceField(
        label="How urgent is it?",
        choices=Rag.choices,
        widget=Radios(
            hints={
                Rag.RED: "Risk of significant harm now: partners answer within hours",
                Rag.AMBER: "Possible significant harm: partners answer within the day",
                Rag.GREEN: "Needs, but no immediate risk",
            }
        ),
        required=False,
    )
    rag_reason = _text("Why this rating?", "The risk to the child now", rows=4)


class RequestsForm(CheckedForm):
    """Ask each ticked team the same question: one request each."""

    teams = forms.MultipleChoiceField(
        label="Who do you want to ask?",
        help_text="Select all that apply. Each team is told at once and has a deadline set"
        " by the case's rating.",
        error_messages={"required": "Choose at least one team to ask"},
    )
    question = _text(
        "What do you need to know?",
        "The same question goes to each team: what they know about the child and household",
        rows=5,
    )

    def __init__(
        self,
        *args: Any,
        teams: Sequence[ProposedTeam],
        waiting: Sequence[InformationRequest] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        #: Requests not yet answered: their teams cannot be asked again yet.
        self.waiting = waiting
        waiting_teams = {r.team_id for r in waiting}
        teams = [p for p in teams if p.team.pk not in waiting_teams]
        self.proposed = {str(p.team.pk): p for p in teams}
        _checkboxes(
            self.fields["teams"],
            [(str(p.team.pk), f"{p.team.named}") for p in teams],
            {str(p.team.pk): _sentence(p.reason) for p in teams},
        )

    def chosen(self) -> list[Any]:
        return [self.proposed[t].team for t in self.cleaned_data.get("teams", [])]


_ACTION_FIELDS = ("description", "owner", "due_on")


def _action_fields(form: forms.Form, prefix: str, owners: list[tuple[str, str]]) -> None:
    form.fields[prefix + "description"] = _text("What is to be done", rows=2)
    form.fields[prefix + "owner"] = forms.ChoiceField(
        label="Who will do it", choices=owners, required=False
    )
    form.fields[prefix + "due_on"] = GovukDateField(label="Due date")


def _action_read(form: forms.Form, prefix: str, people: dict[str, Any]) -> ActionDetails:
    data = form.cleaned_data
    return ActionDetails(
        description=data.get(prefix + "description", ""),
        owner=people.get(data.get(prefix + "owner") or ""),
        due_on=data.get(prefix + "due_on"),
    )


class DecisionForm(CheckedForm):
    outcome = forms.ChoiceField(
        label="What is the outcome?",
        choices=Outcome.choices,
        widget=Radios(),
        required=False,
    )
    outcome_reason = _text(
        "Why this outcome?",
        "What you found, the risk to the child, and why this outcome meets their needs",
        rows=6,
    )
    advice = _text(
        "Advice given",
        "For no further action: what advice is given, and to whom",
        rows=3,
    )
    lead_professional = forms.ChoiceField(
        label="Lead professional",
        help_text="For early help: the practitioner who will lead",
        required=False,
    )

    def __init__(self, *args: Any, people: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        owners = people_choices(people)
        lead = self.fields["lead_professional"]
        assert isinstance(lead, forms.ChoiceField)
        lead.choices = owners
        for n in range(ACTION_BLOCKS):
            _action_fields(self, f"actions-{n}-", owners)

    @property
    def action_blocks(self) -> list[dict[str, Any]]:
        return [
            {
                "n": n,
                "number": n + 1,
                "description": self[f"actions-{n}-description"],
                "owner": self[f"actions-{n}-owner"],
                "due_on": self[f"actions-{n}-due_on"],
                "open": _any(self, [f"actions-{n}-{f}" for f in _ACTION_FIELDS]),
            }
            for n in range(ACTION_BLOCKS)
        ]

    def actions(self) -> tuple[list[ActionDetails], list[int]]:
        """The actions filled in, and the block each came from."""
        actions, blocks = [], []
        for n in range(ACTION_BLOCKS):
            prefix = f"actions-{n}-"
            if _any(self, [prefix + f for f in _ACTION_FIELDS]):
                actions.append(_action_read(self, prefix, self.people))
                blocks.append(n)
        return actions, blocks

    @property
    def lead(self) -> Any:
        return self.people.get(self.cleaned_data.get("lead_professional") or "")


def decision_fields(blocks: Sequence[int]) -> dict[str, str]:
    fields = {"rag": "", "state": ""}
    for i, n in enumerate(blocks):
        fields[f"actions-{i}-description"] = f"actions-{n}-description"
        fields[f"actions-{i}-owner"] = f"actions-{n}-owner"
        fields[f"actions-{i}-due_on"] = f"actions-{n}-due_on"
    return fields


class ActionForm(CheckedForm):
    """One action: what, who, by when."""

    def __init__(self, *args: Any, people: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        _action_fields(self, "", people_choices(people))

    def action(self) -> ActionDetails:
        return _action_read(self, "", self.people)


class SignOffForm(CheckedForm):
    agree = forms.ChoiceField(
        label="Do you agree with the proposed decision?",
        choices=[
            ("yes", "Yes, sign it off"),
            ("no", "No, send it back to the social worker"),
        ],
        widget=Radios(),
        error_messages={"required": "Choose whether you sign off the decision or send it back"},
    )
    note = _text(
        "Note",
        "Needed if you send it back: why, and what is needed. Optional if you agree.",
        rows=4,
    )


class CloseForm(CheckedForm):
    closure_reason = forms.ChoiceField(
        label="Reason for closure",
        choices=[("", "Choose one"), *ClosureReason.choices],
        required=False,
    )
    note = _text("Why is the referral closing now?", rows=4)


class StrategyPlanForm(CheckedForm):
    invitees = forms.MultipleChoiceField(
        label="Who will you invite?",
        help_text="Social care, police and health are always invited. Untick anyone who"
        " should not be.",
        required=False,
    )

    def __init__(self, *args: Any, invitees: Sequence[ProposedTeam], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _checkboxes(
            self.fields["invitees"],
            [
                (
                    str(p.team.pk),
                    f"{p.team.named}" + (f", {p.user.get_full_name()}" if p.user else ""),
                )
                for p in invitees
            ],
            {str(p.team.pk): _invitee_hint(p) for p in invitees},
        )
        self.fields["invitees"].initial = [str(p.team.pk) for p in invitees]


class StrategyRecordForm(CheckedForm):
    held_on = GovukDateField(
        label="When did the discussion start?", what="the date of the discussion", with_time=True
    )
    attended = forms.MultipleChoiceField(
        label="Who attended?", help_text="Select all that apply", required=False
    )
    information_shared = _text("What each agency shared", rows=6)
    outcome = forms.ChoiceField(
        label="What was decided?",
        choices=StrategyOutcome.choices,
        widget=Radios(),
        required=False,
    )
    rationale = _text(
        "Why?", "The threshold of significant harm, and why it is or is not met", rows=5
    )

    def __init__(self, *args: Any, teams: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _checkboxes(self.fields["attended"], [(str(t.pk), f"{t.named}") for t in teams])


class ConferenceForm(CheckedForm):
    """When the initial child protection conference was held."""

    held_on = GovukDateField(
        label="When was the conference held?",
        what="the date of the conference",
        help_text="For example, 7 1 2027",
    )


# ----- requests, the meeting --------------------------------------------------------


class AnswerForm(CheckedForm):
    answer = _text(
        "Your answer",
        "What your agency knows about the child and the household. If you hold nothing,"
        " say so and what you checked.",
        rows=8,
    )


class MinutesForm(CheckedForm):
    minutes = _text("What was discussed", rows=4)
    decisions = _text("What was decided", rows=3)


class MeetingCloseForm(CheckedForm):
    attendees = _text(
        "Who attended", "Each person's name and agency, for example: Tom Price, police", rows=4
    )


class ContactWithdrawForm(CheckedForm):
    reason = forms.CharField(
        label="Why was this contact recorded in error?",
        help_text="For example, the wrong child or the wrong family",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
