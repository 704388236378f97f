"""Alerts: telling practitioners what they need to act on, and the outbox that carries
each alert to its recipient exactly once.

An `Alert` is written in the same transaction as the change it reports (a new
involvement): if the change is stored, so is the alert; if not, neither is. Each
alert has one `Delivery` per channel (the in-app inbox, and email where the recipient
has an address). The task workers deliver them (`services.inboxes_deliver` and
`services.emails_send`, on queues of their own): an alert
appears in the inbox when its inbox delivery is done, in the same transaction that
marks it done, so it appears once; an email is claimed for a short lease before it is
sent, so a worker that dies mid-send leaves it to be claimed again, never lost.

An agency's system account may register a `Webhook`: each new alert for its team is
then also POSTed to the webhook's URL (a `Delivery` on the webhook channel, sent by
`services.webhooks_send` on a queue of its own), signed with a secret that is never
stored but derived from `WEBHOOK_KEY`; tried again with a growing delay until the
receiver answers 2xx, and marked failed after `WEBHOOK_MAX_ATTEMPTS`. Webhooks are
deactivated, never deleted.

An alert says what the recipient needs to act on: who is now involved with whom, in
what capacity, and how to reach them; never anything from another agency's record.
Emails carry no personal details at all: they say an alert is waiting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tellonce.core.models import Archivable, Timestamped, Undeletable


class AlertKind(models.TextChoices):
    NOW_INVOLVED = "now_involved", "Another agency is now involved"
    ALREADY_INVOLVED = "already_involved", "Who is already involved"
    CP_IS = "cp_is", "Unscheduled care for a child with a protection plan or in care"
    RFI_RECEIVED = "rfi_received", "A request for information from the MASH"
    RFI_CHASE = "rfi_chase", "A request for information is due"
    RFI_ESCALATED = "rfi_escalated", "A request for information is late"
    RFI_ANSWERED = "rfi_answered", "A request for information was answered"
    DECISION_OVERDUE = "decision_overdue", "A MASH decision is overdue"
    STRATEGY_INVITE = "strategy_invite", "An invitation to a strategy discussion"
    CONFERENCE_OVERDUE = "conference_overdue", "An initial child protection conference is overdue"
    ACTION_ASSIGNED = "action_assigned", "An action for you"
    CONTACT_WITHDRAWN = (
        "contact_withdrawn",
        "A contact to the MASH was withdrawn, recorded in error",
    )
    # Missing children and return home interviews (tellonce.missing).
    MISSING_REPORTED = "missing_reported", "A child is reported missing"
    MISSING_UNACKNOWLEDGED = (
        "missing_unacknowledged",
        "The police have not acknowledged a missing child",
    )
    MISSING_RETURNED = "missing_returned", "A missing child has returned"
    RHI_ASSIGNED = "rhi_assigned", "A return home interview for you to do"
    RHI_DUE = "rhi_due", "A return home interview is nearly due"
    RHI_SHARED = "rhi_shared", "A return home interview, shared in writing"
    MISSING_PATTERN = "missing_pattern", "Repeated missing episodes or signs of exploitation"
    # Operation Encompass (tellonce.encompass).
    ENCOMPASS = "encompass", "Operation Encompass: a domestic abuse incident"
    ENCOMPASS_CHASE = "encompass_chase", "Operation Encompass: not yet acknowledged"
    ENCOMPASS_ESCALATED = "encompass_escalated", "Operation Encompass: still not acknowledged"
    ENCOMPASS_COUNCIL = "encompass_council", "Operation Encompass: for the council"
    ENCOMPASS_WITHDRAWN = "encompass_withdrawn", "Operation Encompass: withdrawn, recorded in error"
    # Relationships that must be confirmed before they open a record (involvements).
    INVOLVEMENT_TO_CONFIRM = "involvement_to_confirm", "An involvement for you to confirm"
    INVOLVEMENT_CONFIRMED = "involvement_confirmed", "Your involvement was confirmed, or not"
    HOUSEHOLD_INVOLVED = "household_involved", "Who works with the child's household"
    SYSTEM_BURST = "system_burst", "An agency system opened more involvements than it may"
    BREAK_GLASS = "break_glass", "Someone broke the glass on a child your team works with"
    ACCOUNT_CHANGE = "account_change", "A change to an account's powers"
    # Early help (tellonce.earlyhelp).
    EARLY_HELP_LEAD_ASKED = "early_help_lead_asked", "Early help: will you lead?"
    EARLY_HELP_LEAD_ANSWERED = "early_help_lead_answered", "Early help: the lead's answer"
    EARLY_HELP_NO_LEAD = "early_help_no_lead", "Early help: still no lead professional"


class Alert(Undeletable):
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    team = models.ForeignKey("organisations.Team", on_delete=models.PROTECT, related_name="alerts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        help_text="The named practitioner, when there is one; the team sees it too.",
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The child or adult it is about; none for an alert about a system.",
    )
    involvement = models.ForeignKey(
        "involvements.Involvement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        help_text="The involvement whose start this alert reports.",
    )
    chronology_event = models.ForeignKey(
        "chronology.ChronologyEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        help_text="The event this alert reports (an unscheduled health attendance).",
    )
    key = models.CharField(
        max_length=100,
        blank=True,
        help_text="What the alert is about, for alerts not about an involvement or event"
        ' ("rfi:12", or "rfi:12:manager:5" for one person): the same thing never alerts'
        " the same team twice.",
    )
    link = models.CharField(max_length=200, blank=True, help_text="Where to act on it")
    title = models.CharField(max_length=300)
    body = models.TextField()
    created_on = models.DateTimeField(default=timezone.now)
    #: When the inbox delivery was done: until then the alert is not in the inbox.
    delivered_on = models.DateTimeField(null=True, blank=True)
    read_on = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_on", "-pk"]
        constraints = [
            # The same change never alerts the same team twice with the same message.
            models.UniqueConstraint(
                fields=["kind", "involvement", "team"], name="alert_once_per_team"
            ),
            models.UniqueConstraint(
                fields=["kind", "chronology_event", "team"], name="alert_event_once_per_team"
            ),
            models.UniqueConstraint(
                fields=["kind", "key", "team"],
                condition=~models.Q(key=""),
                name="alert_key_once_per_team",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "delivered_on"], name="alert_team_idx"),
            models.Index(fields=["user", "delivered_on"], name="alert_user_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    INBOX = "inbox", "In-app inbox"
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class Webhook(Timestamped, Archivable):
    """Where an agency's system wants its team's new alerts POSTed (`services`)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="webhooks",
        limit_choices_to={"is_system_account": True},
        help_text="The agency system account: its team's new alerts are sent.",
    )
    url = models.URLField(max_length=500)
    active = models.BooleanField(default=True)
    deactivated_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_on", "-pk"]
        indexes = [models.Index(fields=["account", "active"], name="webhook_account_idx")]

    def __str__(self) -> str:
        return f"Webhook {self.pk} of {self.account}"


class Delivery(Undeletable):
    """One alert on one channel: the outbox row the worker works through."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(
        max_length=500, blank=True, help_text="Where it goes: an email address, a webhook's URL."
    )
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    created_on = models.DateTimeField(default=timezone.now)
    #: A worker holds the delivery until then; after it, another may take it over.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_on = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    #: A webhook's last answer (its HTTP status; none for a timeout or no connection).
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    #: When a webhook delivery was given up, after its last attempt.
    failed_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "channel"],
                condition=~models.Q(channel="webhook"),
                name="delivery_once_per_channel",
            ),
            models.UniqueConstraint(
                fields=["alert", "webhook"],
                condition=models.Q(webhook__isnull=False),
                name="delivery_once_per_webhook",
            ),
        ]
        indexes = [models.Index(fields=["sent_on", "claimed_until"], name="delivery_pending_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} for alert {self.alert_id}"
