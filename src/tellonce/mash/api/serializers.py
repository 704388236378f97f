"""The MASH front door's API, as JSON: contacts from agency systems and practitioners,
the MASH's queue and cases, requests for information, decisions, actions, the daily
meeting and strategy discussions.

Request serializers check only that values have the right type (a date is a date, a
team exists); what a contact or a decision must say, and who may do what, is the
services' to decide (`tellonce.mash.services`), so the pages and the API agree.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tellonce.accounts.models import User
from tellonce.api.formats import format_field
from tellonce.api.query import FlagField
from tellonce.api.text import CheckedModelSerializer, CheckedSerializer
from tellonce.mash.models import (
    CaseAction,
    CaseTransition,
    ClosureReason,
    Consent,
    Contact,
    ContactChild,
    InformationRequest,
    MashCase,
    Meeting,
    MeetingItem,
    Outcome,
    Rag,
    ReferralSource,
    StrategyDiscussion,
    StrategyOutcome,
)
from tellonce.mash.selectors import QUEUE_STATES, QueueFilter
from tellonce.mash.services import (
    WITHDRAW_REASON_AT_LEAST,
    ActionDetails,
    ChildDetails,
    ContactDetails,
)
from tellonce.organisations.api.serializers import TeamSerializer
from tellonce.organisations.models import Team
from tellonce.people.models import Sex

# ----- who and what, briefly ---------------------------------------------------------


class PersonRefSerializer(CheckedSerializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="full_name")
    date_of_birth = serializers.DateField(allow_null=True)


class UserRefSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)


class TeamRefSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    agency = serializers.CharField(source="agency.name")


def _words(help_text: str = "", *, required: bool = True) -> serializers.CharField:
    """Free text; whether it says enough is for the service to judge, with its reasons."""
    if required:
        return serializers.CharField(allow_blank=True, help_text=help_text)
    return serializers.CharField(required=False, allow_blank=True, default="", help_text=help_text)


def _short(max_length: int, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length, help_text=help_text
    )


def _user_field(help_text: str) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text=help_text,
        error_messages={"does_not_exist": "No practitioner has the id {pk_value}"},
    )


# ----- contacts ----------------------------------------------------------------------


class ContactChildInputSerializer(CheckedSerializer):
    person = serializers.UUIDField(
        source="person_id",
        required=False,
        allow_null=True,
        default=None,
        help_text="A child already in TellOnce (from a search): the details are then not needed",
    )
    given_name = _short(100)
    family_name = _short(100)
    date_of_birth = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="YYYY-MM-DD; your best estimate if you are not sure",
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True, default="")
    postcode = _short(10)
    nhs_number = format_field("nhs-number", blank=True)(required=False, default="")


class ReferrerSerializer(CheckedSerializer):
    """Who makes the contact: how the MASH can reach them."""

    name = serializers.CharField(source="referrer_name", allow_blank=True, max_length=200)
    role = serializers.CharField(
        source="referrer_role", required=False, allow_blank=True, default="", max_length=200
    )
    phone = serializers.CharField(
        source="referrer_phone", required=False, allow_blank=True, default="", max_length=40
    )
    email = serializers.EmailField(
        source="referrer_email", required=False, allow_blank=True, default="", max_length=254
    )


class ContactCreateSerializer(CheckedSerializer):
    children = ContactChildInputSerializer(
        many=True,
        allow_empty=False,
        help_text="At least one child",
        error_messages={"empty": "Name at least one child the contact is about"},
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=ReferralSource.choices, help_text="DfE referral source code, e.g. 2A: schools"
    )
    referrer = ReferrerSerializer(source="*")
    concern = _words("What worries you, and what has happened (a few sentences at least)")
    help_so_far = _words("What has already been done to help, and by whom")
    child_needs = _words("The child's own needs, not only the parents'")
    child_voice = _words("What the child has said or how they seem, or why it is not known")
    household = _words("Who the child lives with")
    family_knows = serializers.BooleanField(help_text="Whether the family knows of the contact")
    consent = serializers.ChoiceField(choices=Consent.choices)
    sharing_reason = _words(
        "Without consent: why sharing is justified (what harm you fear)", required=False
    )
    external_ref = _short(100, "Your system's own id for the contact: the same id twice is refused")

    def details(self) -> ContactDetails:
        data = dict(self.validated_data)
        children = [ChildDetails(**child) for child in data.pop("children")]
        return ContactDetails(children=children, **data)


class ContactChildSerializer(CheckedModelSerializer):
    person = serializers.UUIDField(source="person_id")
    match = serializers.CharField(help_text="chosen, linked, new, or review")
    case = serializers.IntegerField(source="case_id", help_text="The MASH case")
    duplicate = serializers.BooleanField(
        help_text="Joined a case already open for the child rather than opening another"
    )
    decision_due = serializers.DateTimeField(source="case.decision_due")

    class Meta:
        model = ContactChild
        fields = ["person", "match", "case", "duplicate", "decision_due"]


class ContactSerializer(CheckedModelSerializer):
    channel = serializers.CharField(help_text="api or web")
    children = ContactChildSerializer(many=True)

    class Meta:
        model = Contact
        fields = ["id", "received_on", "channel", "external_ref", "children"]


class ContactDetailSerializer(CheckedModelSerializer):
    referring_agency = serializers.CharField(
        source="referring_agency.name", allow_null=True, default=None
    )
    channel = serializers.CharField(help_text="api or web")
    consent = serializers.CharField(help_text="given, refused or not_sought")
    referrer = ReferrerSerializer(source="*")

    class Meta:
        model = Contact
        fields = [
            "id",
            "received_on",
            "channel",
            "source",
            "referring_agency",
            "referrer",
            "concern",
            "help_so_far",
            "child_needs",
            "child_voice",
            "household",
            "family_knows",
            "consent",
            "sharing_reason",
            "external_ref",
        ]


class CaseContactSerializer(CheckedSerializer):
    contact = ContactDetailSerializer()
    match = serializers.CharField()
    duplicate = serializers.BooleanField()


# ----- the queue and a case ----------------------------------------------------------


class QueueQuerySerializer(CheckedSerializer):
    state = serializers.ChoiceField(
        choices=list(QUEUE_STATES),
        required=False,
        default="open",
        help_text="open (the default), all, or one state",
        error_messages={"invalid_choice": "Choose open, all, or one state"},
    )
    rag = serializers.ChoiceField(
        choices=["", *Rag.values, "unrated"],
        required=False,
        default="",
        help_text="red, amber, green or unrated",
        error_messages={"invalid_choice": "Choose red, amber, green or unrated"},
    )
    overdue = FlagField(required=False, default=False)
    mine = FlagField(required=False, default=False, help_text="Only cases allocated to you")
    page = serializers.IntegerField(required=False, default=1, min_value=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        filters = QueueFilter(
            state=attrs["state"], rag=attrs["rag"], overdue=attrs["overdue"], mine=attrs["mine"]
        )
        problems = filters.problems()
        if problems:
            raise serializers.ValidationError(problems)
        return {"filters": filters, "page": attrs["page"]}


class QueueRowSerializer(CheckedSerializer):
    id = serializers.IntegerField(source="case.pk")
    person = PersonRefSerializer(source="case.person")
    received_on = serializers.DateTimeField(source="case.received_on")
    decision_due = serializers.DateTimeField(source="case.decision_due")
    time_left = serializers.CharField(help_text="Working time to the decision deadline")
    overdue = serializers.BooleanField()
    state = serializers.CharField(source="case.state")
    rag = serializers.CharField(source="case.rag", help_text="Blank until screened")
    waiting_requests = serializers.IntegerField(help_text="Requests for information unanswered")
    allocated_to = UserRefSerializer(source="case.allocated_to", allow_null=True)


class QueuePageSerializer(CheckedSerializer):
    total = serializers.IntegerField()
    overdue_total = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = QueueRowSerializer(many=True, source="rows")


class CaseSerializer(CheckedModelSerializer):
    person = PersonRefSerializer()
    allocated_to = UserRefSerializer(allow_null=True)
    lead_professional = UserRefSerializer(allow_null=True)
    decided_by = UserRefSerializer(allow_null=True)
    signed_off_by = UserRefSerializer(allow_null=True)
    state = serializers.CharField(
        help_text="received, screening, information_gathering, decision or outcome"
    )
    outcome = serializers.CharField(help_text="The decision proposed or signed off")
    is_re_referral = serializers.BooleanField(
        help_text="Signed off as a referral within 12 months of another"
    )

    class Meta:
        model = MashCase
        fields = [
            "id",
            "person",
            "state",
            "rag",
            "rag_reason",
            "received_on",
            "decision_due",
            "allocated_to",
            "outcome",
            "outcome_reason",
            "advice",
            "lead_professional",
            "decided_by",
            "decided_on",
            "signed_off_by",
            "signed_off_on",
            "is_referral",
            "is_re_referral",
            "closed_on",
            "closure_reason",
        ]


class PreviousCaseSerializer(CheckedModelSerializer):
    referring_agency = serializers.CharField(
        source="contact.referring_agency.name", allow_null=True, default=None
    )
    state = serializers.CharField()
    outcome = serializers.CharField()
    closure_reason_label = serializers.CharField(source="get_closure_reason_display")

    class Meta:
        model = MashCase
        fields = [
            "id",
            "received_on",
            "referring_agency",
            "state",
            "outcome",
            "is_referral",
            "signed_off_on",
            "closed_on",
            "closure_reason",
            "closure_reason_label",
        ]


class InvolvedSerializer(CheckedSerializer):
    person = PersonRefSerializer()
    team = TeamSerializer()
    capacity = serializers.CharField()
    practitioner: serializers.Field = serializers.StringRelatedField(allow_null=True)
    started_on = serializers.DateField()
    is_lead_professional = serializers.BooleanField()


class TransitionSerializer(CheckedModelSerializer):
    from_state = serializers.CharField(help_text="Blank for the first")
    to_state = serializers.CharField()
    by = UserRefSerializer()

    class Meta:
        model = CaseTransition
        fields = ["from_state", "to_state", "by", "on", "reason"]


class RequestSerializer(CheckedModelSerializer):
    """A request for information: the question to a partner team, and its answer."""

    case = serializers.IntegerField(source="case_id")
    child = PersonRefSerializer(source="case.person")
    mash = TeamRefSerializer(source="case.hub")
    team = TeamRefSerializer(help_text="The team asked")
    asked_by = UserRefSerializer()
    answered_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "case",
            "child",
            "mash",
            "team",
            "asked_by",
            "question",
            "rag",
            "sent_on",
            "due_on",
            "escalate_on",
            "chased_on",
            "escalated_on",
            "answer",
            "answered_by",
            "answered_on",
            "response_hours",
        ]


class InboxRowSerializer(CheckedSerializer):
    id = serializers.IntegerField(source="request.pk")
    child = PersonRefSerializer(source="request.case.person")
    mash = serializers.CharField(source="request.case.hub.name")
    asked_by = UserRefSerializer(source="request.asked_by")
    question = serializers.CharField(source="request.question")
    rag = serializers.CharField(source="request.rag")
    sent_on = serializers.DateTimeField(source="request.sent_on")
    due_on = serializers.DateTimeField(source="request.due_on")
    time_left = serializers.CharField()
    overdue = serializers.BooleanField()
    answered_on = serializers.DateTimeField(source="request.answered_on", allow_null=True)


class ActionSerializer(CheckedModelSerializer):
    case = serializers.IntegerField(source="case_id", allow_null=True)
    person = serializers.UUIDField(source="person_id")
    owner = UserRefSerializer()

    class Meta:
        model = CaseAction
        fields = ["id", "case", "person", "description", "owner", "due_on", "done_on"]


class InviteeSerializer(CheckedSerializer):
    team = TeamRefSerializer()
    practitioner: serializers.Field = serializers.StringRelatedField(source="user", allow_null=True)
    reason = serializers.CharField()
    invited = serializers.BooleanField()
    attended = serializers.BooleanField(allow_null=True)


class StrategyDiscussionSerializer(CheckedModelSerializer):
    case = serializers.IntegerField(source="case_id")
    chair = UserRefSerializer(allow_null=True)
    invitees = InviteeSerializer(many=True)
    outcome = serializers.CharField(help_text="joint_s47, single_s47 or no_enquiry")
    conference_due = serializers.DateField(
        allow_null=True,
        help_text="Initial child protection conference: 15 working days after an s47 decision",
    )

    class Meta:
        model = StrategyDiscussion
        fields = [
            "id",
            "case",
            "held_on",
            "chair",
            "invitees",
            "information_shared",
            "outcome",
            "rationale",
            "conference_due",
            "conference_held_on",
        ]


class ProposedTeamSerializer(CheckedSerializer):
    id = serializers.IntegerField(source="team.pk")
    name = serializers.CharField(source="team.name")
    agency = serializers.CharField(source="team.agency.name")
    reason = serializers.CharField(help_text="Why this team is proposed")
    practitioner: serializers.Field = serializers.StringRelatedField(source="user", allow_null=True)
    always = serializers.BooleanField(help_text="Must always be invited")


class MinutesSerializer(CheckedSerializer):
    meeting = serializers.IntegerField(source="meeting_id")
    held_on = serializers.DateField(source="meeting.held_on")
    minutes = serializers.CharField()
    decisions = serializers.CharField()


class CasePictureSerializer(CheckedSerializer):
    """A case and everything the MASH needs to decide."""

    case = CaseSerializer()
    time_left = serializers.CharField()
    overdue = serializers.BooleanField()
    contacts = CaseContactSerializer(many=True)
    involved = InvolvedSerializer(
        many=True, help_text="Who works with the child or their household now"
    )
    previous_cases = PreviousCaseSerializer(many=True, source="previous")
    previous_referral = PreviousCaseSerializer(
        allow_null=True,
        help_text="The referral in the 12 months before this contact: this would be a re-referral",
    )
    transitions = TransitionSerializer(many=True)
    requests = RequestSerializer(many=True)
    actions = ActionSerializer(many=True)
    strategy_discussions = StrategyDiscussionSerializer(many=True, source="discussions")
    proposed_rfi_teams = ProposedTeamSerializer(
        many=True, source="rfi_teams", help_text="Teams the MASH may ask (while open)"
    )
    proposed_invitees = ProposedTeamSerializer(
        many=True, source="invitees", help_text="Who to invite to a strategy discussion"
    )
    meeting_minutes = MinutesSerializer(many=True)


# ----- the MASH's work, written ------------------------------------------------------


class ScreeningSerializer(CheckedSerializer):
    rag = serializers.ChoiceField(choices=Rag.choices)
    reason = _words("Why this rating: the risk to the child now")


class RequestCreateSerializer(CheckedSerializer):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.select_related("agency"),
        help_text="The team asked (see proposed_rfi_teams on the case)",
        error_messages={"does_not_exist": "No team has the id {pk_value}"},
    )
    question = _words("What you need to know from this team, and why")


class ActionInputSerializer(CheckedSerializer):
    description = _words("What is to be done, specifically for the child")
    owner = _user_field("The practitioner who will do it")
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="YYYY-MM-DD: every action needs a due date",
    )


def action_details(data: dict[str, Any]) -> ActionDetails:
    return ActionDetails(data["description"], data["owner"], data["due_on"])


class DecisionSerializer(CheckedSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = _words("What you found, the risk to the child, and why this outcome")
    advice = _words("The advice given, and to whom (no further action)", required=False)
    lead_professional = _user_field("The lead professional (early help)")
    actions = ActionInputSerializer(many=True, required=False, default=list)

    def actions_details(self) -> list[ActionDetails]:
        return [action_details(action) for action in self.validated_data["actions"]]


class SignOffSerializer(CheckedSerializer):
    agree = serializers.BooleanField(help_text="true: sign off; false: send back")
    note = _words("Why it is sent back and what is needed (when not agreeing)", required=False)


class CloseSerializer(CheckedSerializer):
    closure_reason = serializers.ChoiceField(choices=ClosureReason.choices)
    note = _words("Why the referral is closing now")


class ContactWithdrawSerializer(CheckedSerializer):
    reason = serializers.CharField(
        min_length=WITHDRAW_REASON_AT_LEAST,
        help_text="Why the contact was recorded in error, for example the wrong child",
    )


class StrategyPlanSerializer(CheckedSerializer):
    invitees = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Team ids (see proposed_invitees): social care, police and health always",
    )


class StrategyRecordSerializer(CheckedSerializer):
    held_on = serializers.DateTimeField(help_text="When the discussion was held (ISO 8601)")
    attended = serializers.ListField(
        child=serializers.IntegerField(), help_text="The ids of the invited teams that attended"
    )
    information_shared = _words("What each agency shared")
    outcome = serializers.ChoiceField(choices=StrategyOutcome.choices)
    rationale = _words("The threshold of significant harm, and why this decision")


class ConferenceSerializer(CheckedSerializer):
    held_on = serializers.DateField(
        help_text="When the initial child protection conference was held (YYYY-MM-DD)"
    )


class AnswerSerializer(CheckedSerializer):
    answer = _words("What your agency knows; if nothing, say so and what you checked")


class InboxQuerySerializer(CheckedSerializer):
    answered = FlagField(
        required=False, default=False, help_text="Requests already answered, newest first"
    )


class ActionsQuerySerializer(CheckedSerializer):
    done = FlagField(required=False, default=False, help_text="The actions done")


class ResponseTimesQuerySerializer(CheckedSerializer):
    since = serializers.DateField(
        required=False, help_text="YYYY-MM-DD; requests sent since (default: a year ago)"
    )


class ResponseTimesSerializer(CheckedSerializer):
    agency = serializers.CharField()
    asked = serializers.IntegerField()
    answered = serializers.IntegerField()
    on_time = serializers.IntegerField()
    waiting = serializers.IntegerField()
    median_hours = serializers.FloatField(
        allow_null=True, help_text="Median working hours from asking to the answer"
    )


# ----- the daily meeting -------------------------------------------------------------


class MeetingItemSerializer(CheckedModelSerializer):
    case = serializers.IntegerField(source="case_id")
    child = PersonRefSerializer(source="case.person")
    rag = serializers.CharField(source="case.rag")
    state = serializers.CharField(source="case.state")

    class Meta:
        model = MeetingItem
        fields = ["id", "position", "case", "child", "rag", "state", "minutes", "decisions"]


class MeetingSerializer(CheckedModelSerializer):
    chair = UserRefSerializer()
    items = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "held_on", "chair", "attendees", "closed_on", "items"]

    @extend_schema_field(MeetingItemSerializer(many=True))
    def get_items(self, meeting: Meeting) -> list[dict[str, Any]]:
        items = meeting.items.select_related("case__person")
        return MeetingItemSerializer(items, many=True).data  # type: ignore[return-value]


class MinutesInputSerializer(CheckedSerializer):
    minutes = _words("What was discussed about the child")
    decisions = _words("What was decided, or that nothing was")


class MeetingCloseSerializer(CheckedSerializer):
    attendees = _words("Who attended, and from which agency")
