"""Missing children and return home interviews.

- `MissingEpisode`: any agency's report that a child is missing: when and where last
  seen, the circumstances, the risk, who reported it; whether and when the police were
  told, acknowledged it, or were escalated to; and the child's return.
- `ReturnHomeInterview`: the independent interview offered after the child returns,
  due `RHI_DUE_HOURS` after the return; completed in writing (and then shared with the
  police and the social worker) or refused, with the reason.
- `MissingPatternFlag`: a flag on the child's record when episodes repeat (three in 90
  days) or an interview shows signs of exploitation; the MASH is prompted to consider a
  strategy discussion.

Nothing here is deleted: an episode recorded in error is archived with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tellonce.core.models import Archivable, Timestamped, Undeletable


class Risk(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NO_APPARENT_RISK = "no_apparent_risk", "No apparent risk"


class MissingEpisode(Timestamped, Archivable):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="missing_episodes"
    )
    reported_on = models.DateTimeField(default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="missing_reported"
    )
    reporting_team = models.ForeignKey(
        "organisations.Team", on_delete=models.PROTECT, related_name="missing_reported"
    )
    reporter_name = models.CharField(max_length=200)
    reporter_role = models.CharField(max_length=200, blank=True)
    reporter_phone = models.CharField(max_length=40)
    last_seen_at = models.DateTimeField()
    last_seen_where = models.CharField(max_length=300)
    circumstances = models.TextField()
    risk = models.CharField(max_length=20, choices=Risk.choices)
    #: The police's own reference, when the police reported it or have given one.
    police_ref = models.CharField(max_length=60, blank=True)
    reported_by_police = models.BooleanField(default=False)
    #: The police MASH desk that is told (and whose supervisor is escalated to).
    police_team = models.ForeignKey(
        "organisations.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="missing_notified",
    )
    police_notified_on = models.DateTimeField(null=True, blank=True)
    police_acknowledged_on = models.DateTimeField(null=True, blank=True)
    police_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    police_escalated_on = models.DateTimeField(null=True, blank=True)
    returned_on = models.DateTimeField(null=True, blank=True)
    return_details = models.TextField(blank=True)
    return_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-reported_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "last_seen_at"], name="missing_person_idx"),
            models.Index(
                fields=["police_team", "police_acknowledged_on"], name="missing_police_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Missing episode {self.pk} ({self.last_seen_at:%Y-%m-%d})"

    @property
    def is_missing(self) -> bool:
        return self.returned_on is None

    @property
    def awaiting_police(self) -> bool:
        return self.police_notified_on is not None and self.police_acknowledged_on is None


class InterviewState(models.TextChoices):
    ASSIGNED = "assigned", "To be done"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused by the child"


class ReturnHomeInterview(Timestamped, Undeletable):
    episode = models.OneToOneField(
        MissingEpisode, on_delete=models.PROTECT, related_name="interview"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="return_interviews"
    )
    due_on = models.DateTimeField()
    state = models.CharField(
        max_length=20, choices=InterviewState.choices, default=InterviewState.ASSIGNED
    )
    assigned_team = models.ForeignKey(
        "organisations.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_interviews",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_interviews",
    )
    assigned_on = models.DateTimeField(null=True, blank=True)
    #: When the team and its managers were told the deadline is near (once).
    warned_on = models.DateTimeField(null=True, blank=True)
    overdue_on = models.DateTimeField(
        null=True, blank=True, help_text="When its deadline passed with nothing recorded"
    )
    offered_on = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the child said.
    why_left = models.TextField(blank=True)
    where_went = models.TextField(blank=True)
    with_whom = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    push_factors = models.TextField(blank=True, help_text="What pushed the child away")
    pull_factors = models.TextField(blank=True, help_text="What drew the child away")
    child_said = models.TextField(blank=True, help_text="In the child's own words")
    #: Indicators of exploitation (DfE factors 11A and 24A).
    cse_indicators = models.BooleanField(default=False)
    cce_indicators = models.BooleanField(default=False)
    refused_reason = models.TextField(blank=True)
    shared_with_police_on = models.DateTimeField(null=True, blank=True)
    shared_with_social_worker_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["state", "due_on"], name="rhi_due_idx")]

    def __str__(self) -> str:
        return f"Return home interview {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state == InterviewState.ASSIGNED

    @property
    def exploitation_factors(self) -> list[str]:
        return [
            label
            for flagged, label in (
                (self.cse_indicators, "child sexual exploitation (11A)"),
                (self.cce_indicators, "child criminal exploitation (24A)"),
            )
            if flagged
        ]


class FlagReason(models.TextChoices):
    REPEATED = "repeated", "Missing three or more times in 90 days"
    EXPLOITATION = "exploitation", "Signs of exploitation in a return home interview"


class MissingPatternFlag(Timestamped, Archivable):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="missing_flags"
    )
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    detail = models.TextField()
    raised_on = models.DateTimeField(default=timezone.now)
    episode = models.ForeignKey(
        MissingEpisode, null=True, blank=True, on_delete=models.PROTECT, related_name="flags"
    )
    interview = models.ForeignKey(
        ReturnHomeInterview,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flags",
    )

    class Meta:
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "reason"],
                condition=models.Q(episode__isnull=False),
                name="missing_flag_once_per_episode",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.raised_on:%Y-%m-%d})"
