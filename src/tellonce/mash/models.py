"""The front door: contacts about children, and the MASH's work on each child.

- `Contact`: what a practitioner or an agency's system tells the MASH about one or
  more children: who refers, why, what has been done already, the child's needs and
  voice, and the lawful basis for sharing.
- `ContactChild`: one child of a contact, matched to a person at intake; a second
  contact about a child whose case is still open within a few days joins that case
  (`duplicate`) rather than opening another.
- `MashCase`: the MASH's work on one child, from receipt to an outcome signed off by a
  manager, with its red/amber/green rating and decision deadline. Each change of state
  is a `CaseTransition` (who, when, why).
- `InformationRequest`: a question to a partner agency's team, with a deadline set by
  the case's rating, chased when due and escalated when late.
- `CaseAction`: something to be done for a child: an owner and a due date, always.
- `Meeting` and `MeetingItem`: the daily MASH meeting and its minutes per child.
- `StrategyDiscussion` and `Invitee`: the s47 strategy discussion, who was proposed
  and why, who came, and the decision.

A contact recorded in error (the wrong child) is withdrawn by a MASH manager before any
decision on it is signed off (`services.contact_withdraw`): the contact, its children,
its cases and their requests and actions are archived with who, when and why, never
deleted, and the default managers leave them out of every queue, inbox, clock and
figure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tellonce.core.models import Archivable, Timestamped, Undeletable


class ReferralSource(models.TextChoices):
    """Department for Education Children in Need census referral source codes."""

    INDIVIDUAL = "1A", "Individual"
    FAMILY = "1B", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1C", "Individual: acquaintance (including neighbours and childminders)"
    SELF = "1D", "Individual: self"
    INDIVIDUAL_OTHER = "1E", "Individual: other"
    SCHOOLS = "2A", "Schools"
    EDUCATION = "2B", "Education services"
    GP = "3A", "Health services: GP"
    HEALTH_VISITOR = "3B", "Health services: health visitor"
    SCHOOL_NURSE = "3C", "Health services: school nurse"
    PRIMARY_HEALTH = "3D", "Health services: other primary health services"
    EMERGENCY_DEPARTMENT = "3E", "Health services: A&E"
    HEALTH_OTHER = "3F", "Health services: other"
    HOUSING = "4", "Housing"
    SOCIAL_CARE = "5A", "Local authority services: social care"
    LA_INTERNAL = "5B", "Local authority services: other internal"
    LA_EXTERNAL = "5C", "Local authority services: external (another local authority)"
    EARLY_HELP = "5D", "Early help"
    POLICE = "6", "Police"
    LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class Consent(models.TextChoices):
    GIVEN = "given", "Yes: the family knows and agrees to the contact"
    REFUSED = "refused", "No: the family was asked and refused"
    NOT_SOUGHT = "not_sought", "No: the family was not asked"


class Channel(models.TextChoices):
    WEB = "web", "TellOnce form"
    API = "api", "Agency system"


class Contact(Timestamped, Archivable):
    hub = models.ForeignKey(
        "organisations.Team", on_delete=models.PROTECT, related_name="contacts_received"
    )
    received_on = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Who refers.
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts_made",
        help_text="The practitioner (or agency system account) who made the contact.",
    )
    referrer_name = models.CharField(max_length=200)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    referrer_email = models.EmailField(blank=True)
    referring_agency = models.ForeignKey(
        "organisations.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=3, choices=ReferralSource.choices)
    # What the MASH needs to know.
    concern = models.TextField(help_text="What worries you, and what has happened")
    help_so_far = models.TextField(help_text="What has already been done to help")
    child_needs = models.TextField(help_text="The child's own needs, not only the parents'")
    child_voice = models.TextField(blank=True, help_text="What the child has said, where known")
    household = models.TextField(help_text="Who the child lives with")
    family_knows = models.BooleanField()
    consent = models.CharField(max_length=12, choices=Consent.choices)
    sharing_reason = models.TextField(
        blank=True, help_text="Why sharing without consent is justified (safeguarding)"
    )
    external_ref = models.CharField(
        max_length=100, blank=True, help_text="The sending system's own id for the contact"
    )

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            # A withdrawn contact frees its reference, so the agency can send it again
            # about the right child.
            models.UniqueConstraint(
                fields=["referring_agency", "external_ref"],
                condition=~Q(external_ref="") & Q(archived_on__isnull=True),
                name="contact_once_per_agency_ref",
            )
        ]

    def __str__(self) -> str:
        return f"Contact {self.pk} ({self.received_on:%Y-%m-%d})"


class State(models.TextChoices):
    RECEIVED = "received", "Received"
    SCREENING = "screening", "Screening"
    INFORMATION_GATHERING = "information_gathering", "Information gathering"
    DECISION = "decision", "Decision awaiting sign-off"
    OUTCOME = "outcome", "Outcome"


#: States in which the MASH is still working on the case.
OPEN_STATES = (State.RECEIVED, State.SCREENING, State.INFORMATION_GATHERING, State.DECISION)


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class Outcome(models.TextChoices):
    NFA_ADVICE = "nfa_advice", "No further action, with advice"
    UNIVERSAL = "universal", "Universal services"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need assessment (section 17)"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion (section 47)"
    IMMEDIATE_PROTECTION = "immediate_protection", "Immediate protection"


#: Outcomes that make the contact a referral to children's social care.
REFERRAL_OUTCOMES = (
    Outcome.CHILD_IN_NEED,
    Outcome.STRATEGY_DISCUSSION,
    Outcome.IMMEDIATE_PROTECTION,
)


class ClosureReason(models.TextChoices):
    """DfE Children in Need census reasons for closure."""

    RC1 = "RC1", "RC1 Adopted"
    RC2 = "RC2", "RC2 Died"
    RC3 = "RC3", "RC3 Child arrangements order"
    RC4 = "RC4", "RC4 Special guardianship order"
    RC5 = "RC5", "RC5 Transferred to services of another local authority"
    RC6 = "RC6", "RC6 Transferred to adult social care"
    RC7 = "RC7", "RC7 Services ceased for any other reason, including child no longer in need"
    RC8 = "RC8", "RC8 Case closed after assessment, no further action"


class MashCase(Timestamped, Archivable):
    hub = models.ForeignKey("organisations.Team", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="mash_cases")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateTimeField()
    decision_due = models.DateTimeField()
    state = models.CharField(max_length=30, choices=State.choices, default=State.RECEIVED)
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    rag_reason = models.TextField(blank=True)
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    involvement = models.ForeignKey(
        "involvements.Involvement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The MASH enquiry on the involvement register.",
    )
    # The decision, proposed and then signed off.
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    advice = models.TextField(blank=True, help_text="The advice given (no further action)")
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: The early help the decision asked for (waiting for the lead to accept, then open).
    early_help_episode = models.ForeignKey(
        "earlyhelp.Episode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mash_cases",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_on = models.DateTimeField(null=True, blank=True)
    is_referral = models.BooleanField(default=False)
    previous_referral = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The referral in the 12 months before this one, if any.",
    )
    closed_on = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ClosureReason.choices, blank=True)
    overdue_escalated_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decision_due", "pk"]
        indexes = [
            models.Index(fields=["hub", "state", "decision_due"], name="mashcase_queue_idx"),
            models.Index(fields=["hub", "-received_on"], name="mashcase_hub_received_idx"),
            models.Index(fields=["person", "received_on"], name="mashcase_person_idx"),
        ]

    def __str__(self) -> str:
        return f"MASH case {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_re_referral(self) -> bool:
        return self.previous_referral_id is not None


class ContactChild(Archivable):
    class Match(models.TextChoices):
        CHOSEN = "chosen", "Chosen by the referrer from TellOnce"
        LINKED = "linked", "Matched to a known child"
        NEW = "new", "New to TellOnce"
        REVIEW = "review", "New to TellOnce; a possible match waits for review"

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="children")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(MashCase, on_delete=models.PROTECT, related_name="contact_children")
    match = models.CharField(max_length=10, choices=Match.choices)
    duplicate = models.BooleanField(
        default=False, help_text="Joined a case already open for this child (not counted again)"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "person"], name="contact_child_once")
        ]

    def __str__(self) -> str:
        return f"Child {self.person_id} of contact {self.contact_id}"


class CaseTransition(Undeletable):
    case = models.ForeignKey(MashCase, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=30, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=30, choices=State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} to {self.to_state}"


class InformationRequest(Timestamped, Archivable):
    case = models.ForeignKey(MashCase, on_delete=models.PROTECT, related_name="requests")
    team = models.ForeignKey(
        "organisations.Team", on_delete=models.PROTECT, related_name="information_requests"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField()
    rag = models.CharField(max_length=5, choices=Rag.choices)
    sent_on = models.DateTimeField(default=timezone.now)
    due_on = models.DateTimeField()
    escalate_on = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateTimeField(null=True, blank=True)
    response_hours = models.FloatField(
        null=True, blank=True, help_text="Working hours from sending to answer"
    )
    chased_on = models.DateTimeField(null=True, blank=True)
    escalated_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["team", "answered_on", "due_on"], name="rfi_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk} to {self.team_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None


class CaseAction(Timestamped, Archivable):
    case = models.ForeignKey(
        MashCase, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]


class Meeting(Timestamped, Undeletable):
    hub = models.ForeignKey("organisations.Team", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attendees = models.TextField(blank=True, help_text="Who attended, from which agency")
    closed_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on"]
        constraints = [models.UniqueConstraint(fields=["hub", "held_on"], name="one_meeting_a_day")]


class MeetingItem(Undeletable):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    case = models.ForeignKey(MashCase, on_delete=models.PROTECT, related_name="meeting_items")
    position = models.PositiveIntegerField(default=0)
    minutes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    chronology_event = models.ForeignKey(
        "chronology.ChronologyEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="meeting_item_once")
        ]

    def __str__(self) -> str:
        return f"Case {self.case_id} at meeting {self.meeting_id}"


class StrategyOutcome(models.TextChoices):
    JOINT_S47 = "joint_s47", "Joint section 47 enquiry (police and social care)"
    SINGLE_S47 = "single_s47", "Single-agency section 47 enquiry (social care)"
    NO_ENQUIRY = "no_enquiry", "No section 47 enquiry"


class StrategyDiscussion(Timestamped, Undeletable):
    case = models.ForeignKey(
        MashCase, on_delete=models.PROTECT, related_name="strategy_discussions"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateTimeField(null=True, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    information_shared = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=StrategyOutcome.choices, blank=True)
    rationale = models.TextField(blank=True)
    conference_due = models.DateField(
        null=True, blank=True, help_text="Initial child protection conference: 15 working days"
    )
    conference_held_on = models.DateField(null=True, blank=True)
    conference_overdue_on = models.DateTimeField(
        null=True, blank=True, help_text="When the MASH's managers were told it is overdue"
    )

    class Meta:
        ordering = ["-created_on"]


class Invitee(Undeletable):
    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.PROTECT, related_name="invitees"
    )
    team = models.ForeignKey("organisations.Team", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300)
    invited = models.BooleanField(default=True)
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "team"], name="invitee_team_once")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} invited to {self.discussion_id}"
