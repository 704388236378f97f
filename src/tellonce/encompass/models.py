"""Operation Encompass: the police tell a child's school, before the next school day,
that the child was in a household where domestic abuse was reported.

- `TermCalendar` and `Term`: when a school is open. The borough's calendar (no school)
  serves every school without one of its own; half terms are the gaps between terms.
- `SchoolSignUp`: a school's membership of Operation Encompass.
- `DomesticAbuseIncident` and `IncidentChild`: what the police record, and each child
  of the household, with whether they were present and what they said or how they
  appeared.
- `Notification`: one child's notification to one recipient (the school's designated
  safeguarding lead, or the council's education safeguarding team), due by the start of
  a school day, delivered through the alerts outbox, acknowledged, chased, escalated.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from tellonce.core.models import Archivable, Timestamped, Undeletable, UndeletableQuerySet


class TermCalendar(Timestamped, Undeletable):
    name = models.CharField(max_length=200)
    school = models.OneToOneField(
        "organisations.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="term_calendar",
        help_text="Empty for the borough's calendar, which serves every other school.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(school__isnull=True),
                name="one_borough_calendar_name",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Term(Undeletable):
    calendar = models.ForeignKey(TermCalendar, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=100, help_text='"Autumn term, first half"')
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="term_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} to {self.ends_on})"


class SchoolSignUp(Timestamped, Undeletable):
    school = models.OneToOneField(
        "organisations.Agency", on_delete=models.PROTECT, related_name="encompass_sign_up"
    )
    signed_up_on = models.DateField(default=timezone.localdate)
    withdrawn_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.school_id} signed up {self.signed_up_on}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class Channel(models.TextChoices):
    WEB = "web", "TellOnce form"
    API = "api", "Police system"


class DomesticAbuseIncident(Timestamped, Archivable):
    """Withdrawn when recorded in error (the wrong child): archived with who, when and
    why, never deleted; the default manager leaves withdrawn incidents out."""

    police = models.ForeignKey(
        "organisations.Agency", on_delete=models.PROTECT, related_name="domestic_abuse_incidents"
    )
    police_ref = models.CharField(max_length=100, help_text="The police's reference")
    occurred_at = models.DateTimeField()
    place = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            # A withdrawn incident frees its reference, so the police can record it again
            # about the right child.
            models.UniqueConstraint(
                fields=["police", "police_ref"],
                condition=models.Q(archived_on__isnull=True),
                name="incident_ref_once",
            )
        ]

    def __str__(self) -> str:
        return f"Incident {self.police_ref}"


class Match(models.TextChoices):
    CHOSEN = "chosen", "Chosen from TellOnce"
    LINKED = "linked", "Matched to a known child"
    NEW = "new", "New to TellOnce"
    REVIEW = "review", "New to TellOnce; a possible match waits for review"


class IncidentChild(Undeletable):
    incident = models.ForeignKey(
        DomesticAbuseIncident, on_delete=models.PROTECT, related_name="children"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(help_text="Whether the child was present at the incident")
    voice = models.TextField(help_text="What the child said, or how they presented")
    match = models.CharField(max_length=10, choices=Match.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "person"], name="incident_child_once")
        ]

    def __str__(self) -> str:
        return f"Child {self.person_id} of incident {self.incident_id}"


class Recipient(models.TextChoices):
    SCHOOL = "school", "School's designated safeguarding lead"
    COUNCIL = "council", "Council's education safeguarding team"


class CouncilReason(models.TextChoices):
    NO_SCHOOL = "no_school", "Not on a school's roll (home-educated or out of school)"
    NOT_SIGNED_UP = "not_signed_up", "The child's school is not signed up to Operation Encompass"
    NO_SCHOOL_TOMORROW = (
        "no_school_tomorrow",
        "No school the next day (weekend or holiday): the school hears on its first day back",
    )


class NotificationQuerySet(UndeletableQuerySet):
    def live(self) -> NotificationQuerySet:
        """Leaving out the notifications of withdrawn incidents: for inboxes, the clock
        and the figures."""
        return self.filter(incident__archived_on__isnull=True)


NotificationManager = models.Manager.from_queryset(NotificationQuerySet)


class Notification(Undeletable):
    objects = NotificationManager()  # type: ignore[misc]

    incident_child = models.ForeignKey(
        IncidentChild, on_delete=models.PROTECT, related_name="notifications"
    )
    incident = models.ForeignKey(
        DomesticAbuseIncident, on_delete=models.PROTECT, related_name="notifications"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    school = models.ForeignKey(
        "organisations.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="encompass_notifications",
        help_text="The child's school (also on a council notification, where known).",
    )
    team = models.ForeignKey(
        "organisations.Team", on_delete=models.PROTECT, related_name="encompass_notifications"
    )
    council_reason = models.CharField(max_length=20, choices=CouncilReason.choices, blank=True)
    created_on = models.DateTimeField(default=timezone.now)
    due_by = models.DateTimeField(help_text="The start of the school day it is for")
    alert = models.OneToOneField(
        "alerts.Alert", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_on = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chased_on = models.DateTimeField(null=True, blank=True)
    escalated_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_by", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident_child", "recipient"], name="notification_once_per_recipient"
            )
        ]
        indexes = [
            models.Index(fields=["team", "acknowledged_on", "due_by"], name="encompass_inbox_idx"),
            models.Index(fields=["acknowledged_on", "due_by"], name="encompass_clock_idx"),
            models.Index(fields=["school", "recipient"], name="encompass_school_idx"),
        ]

    def __str__(self) -> str:
        return f"Encompass notification {self.pk}"

    @property
    def delivered_on(self) -> datetime | None:
        return self.alert.delivered_on if self.alert is not None else None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_on is not None
