"""Early help episodes and their lead professionals.

- `Episode`: early help for a child (and the family around them): how it came (a MASH
  decision, a practitioner of any agency, the council's early help system), why, the
  family's agreement (who gave it, when, and what may be shared with whom), and its
  state: waiting for its lead professional to accept, open, or closed.
- `LeadRole`: a practitioner asked to lead the episode: offered, then accepted or
  declined (or withdrawn, when someone else is asked instead); an accepted lead's role
  ends only when another accepts it (a handover) or the episode closes, so there is
  never a gap. The accepted lead holds the child's lead professional involvement (the
  register's one lead per child).

Nothing here is deleted: an episode opened in error is archived with a reason.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tellonce.core.models import Archivable, Timestamped, Undeletable
from tellonce.core.workdays import due_by_working_days


class EpisodeState(models.TextChoices):
    AWAITING_LEAD = "awaiting_lead", "Waiting for its lead professional to accept"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


#: The states of an episode that is still the child's early help.
LIVE_STATES = (EpisodeState.AWAITING_LEAD, EpisodeState.OPEN)


class Closure(models.TextChoices):
    NEEDS_MET = "needs_met", "The family's needs were met"
    STEPPED_UP = "stepped_up", "Stepped up to children's social care"
    CONSENT_WITHDRAWN = "consent_withdrawn", "The family no longer agreed to early help"
    MOVED_AWAY = "moved_away", "The family moved away"
    NOT_NEEDED = "not_needed", "Early help was not needed after all"


class Route(models.TextChoices):
    MASH = "mash", "A MASH decision"
    PRACTITIONER = "practitioner", "A practitioner"
    SYSTEM = "system", "The early help system"


class Episode(Timestamped, Archivable):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="early_help_episodes"
    )
    state = models.CharField(
        max_length=20, choices=EpisodeState.choices, default=EpisodeState.AWAITING_LEAD
    )
    route = models.CharField(max_length=20, choices=Route.choices)
    #: Who asked for it, and their team (the MASH's, for a MASH decision).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="early_help_requested"
    )
    requesting_team = models.ForeignKey(
        "organisations.Team", on_delete=models.PROTECT, related_name="early_help_requested"
    )
    requested_on = models.DateTimeField(default=timezone.now)
    #: When its lead accepted (and it opened).
    opened_on = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(help_text="What the family needs help with, and why now")
    consent_given_on = models.DateField(null=True, blank=True)
    consent_given_by = models.CharField(
        max_length=200, blank=True, help_text="Who agreed, and who they are to the child"
    )
    consent_to_share = models.TextField(blank=True, help_text="What may be shared, and with whom")
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The early help system's own reference, when it came from there.
    external_ref = models.CharField(max_length=100, blank=True)
    #: When the early help service's managers were asked to find a lead (once).
    lead_escalated_on = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closure = models.CharField(max_length=30, choices=Closure.choices, blank=True)
    close_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_on", "-pk"]
        constraints = [
            # One early help episode at a time for a child: so one lead professional.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(archived_on__isnull=True, state__in=LIVE_STATES),
                name="early_help_one_live_episode",
            ),
        ]
        indexes = [models.Index(fields=["state", "requested_on"], name="early_help_state_idx")]

    def __str__(self) -> str:
        return f"Early help episode {self.pk}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES and self.archived_on is None

    @property
    def has_consent(self) -> bool:
        return self.consent_given_on is not None

    @property
    def lead_due(self) -> datetime:
        """When, still waiting for its lead, it goes to the early help service's managers."""
        return due_by_working_days(self.requested_on, settings.EARLY_HELP_LEAD_WORKING_DAYS)


class LeadState(models.TextChoices):
    OFFERED = "offered", "Asked to lead"
    ACCEPTED = "accepted", "Leads"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Someone else was asked"
    ENDED = "ended", "Led until"


class LeadRole(Timestamped, Undeletable):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="leads")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="early_help_leads"
    )
    team = models.ForeignKey("organisations.Team", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=LeadState.choices, default=LeadState.OFFERED)
    offered_on = models.DateTimeField(default=timezone.now)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    ended_on = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    #: The child's lead professional involvement, while this role is accepted.
    involvement = models.OneToOneField(
        "involvements.Involvement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="early_help_lead",
    )

    class Meta:
        ordering = ["offered_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(state="accepted"),
                name="early_help_one_lead",
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(state="offered"),
                name="early_help_one_offer",
            ),
        ]
        indexes = [
            models.Index(fields=["practitioner", "state"], name="early_help_lead_idx"),
        ]

    def __str__(self) -> str:
        return f"Lead role {self.pk} on early help episode {self.episode_id}"


class NoLeadNotice(Timestamped, Undeletable):
    """TellOnce noticing that two or more agencies work with a child and none leads:
    the teams involved are told at once; if it still holds after
    `EARLY_HELP_BROKER_WORKING_DAYS`, the early help service's managers are asked to
    broker a lead, once. It is resolved when a lead professional or early help comes,
    or fewer agencies work with the child."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="no_lead_notices"
    )
    noticed_on = models.DateTimeField(default=timezone.now)
    #: How many agencies worked with the child when it was noticed.
    agencies = models.PositiveSmallIntegerField()
    escalated_on = models.DateTimeField(null=True, blank=True)
    resolved_on = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-noticed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(resolved_on__isnull=True),
                name="early_help_one_live_no_lead_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"No lead notice {self.pk}"

    @property
    def broker_due(self) -> datetime:
        return due_by_working_days(self.noticed_on, settings.EARLY_HELP_BROKER_WORKING_DAYS)
