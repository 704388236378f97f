"""Record linkage under the database's control: which trained model produced which
links, every run, every merge and split with the probabilities that caused it, the
clerical review queue, and reviewers' decisions, which override the model for good."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tellonce.core.models import Undeletable


class LinkageModel(Undeletable):
    """A trained Splink model, versioned. Exactly one is active at a time."""

    version = models.PositiveIntegerField(unique=True)
    trained_on = models.DateTimeField(default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    splink_version = models.CharField(max_length=20)
    settings = models.JSONField(help_text="The Splink model, as Splink saves it")
    term_frequencies = models.JSONField(
        default=dict, help_text="Term frequencies of the training records, for the scorer"
    )
    records_trained_on = models.PositiveIntegerField()
    match_threshold = models.FloatField(
        default=0.99, help_text="Pairs at or above this probability are the same person"
    )
    review_threshold = models.FloatField(
        default=0.5, help_text="Pairs from here up to the match threshold go to review"
    )
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_linkage_model",
            )
        ]

    def __str__(self) -> str:
        return f"Linkage model {self.version}"


class LinkRun(Undeletable):
    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, related_name="runs")
    started_on = models.DateTimeField(default=timezone.now)
    finished_on = models.DateTimeField(null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    records = models.PositiveIntegerField(default=0)
    pairs_scored = models.PositiveIntegerField(default=0)
    persons_new = models.PositiveIntegerField(default=0)
    merges = models.PositiveIntegerField(default=0)
    splits = models.PositiveIntegerField(default=0)
    review_pairs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"Link run {self.pk} with model {self.model.version}"


class LinkEventKind(models.TextChoices):
    NEW_PERSON = "new", "New person"
    MERGE = "merge", "Merged"
    SPLIT = "split", "Split"
    UNMERGE = "unmerge", "Unmerged by a reviewer"
    ARRIVAL = "arrival", "Linked on arrival"


class LinkEvent(Undeletable):
    """One change to who is who, and why."""

    kind = models.CharField(max_length=10, choices=LinkEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    run = models.ForeignKey(
        LinkRun, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    model = models.ForeignKey(
        LinkageModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="link_events",
        help_text="The person kept (merge), left (split) or created",
    )
    other_person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The person merged in, or the person records moved to",
    )
    record_ids = models.JSONField(default=list, help_text="The agency records that moved")
    match_probability = models.FloatField(null=True, blank=True)
    match_weight = models.FloatField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d %b %Y}"


class Decision(models.TextChoices):
    SAME = "same", "The same person"
    NOT_SAME = "not_same", "Not the same person"


class ReviewPair(Undeletable):
    """A pair the model is unsure of, waiting for a person to decide."""

    left = models.ForeignKey("people.AgencyRecord", on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey("people.AgencyRecord", on_delete=models.PROTECT, related_name="+")
    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(
        LinkRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    explanation = models.JSONField(default=list, help_text="Each comparison's level and weight")
    queued_on = models.DateTimeField(default=timezone.now)
    decision = models.ForeignKey(
        "ReviewDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="pairs"
    )

    class Meta:
        ordering = ["-match_probability"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="review_pair_unique"),
        ]

    def __str__(self) -> str:
        return f"Review {self.left_id} ~ {self.right_id}"


class ReviewDecision(Undeletable):
    """A reviewer's word on a pair of agency records. Overrides the model on every later
    run; the newest decision on a pair is the one in force."""

    left = models.ForeignKey("people.AgencyRecord", on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey("people.AgencyRecord", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_on"]
        indexes = [models.Index(fields=["left", "right", "decided_on"], name="review_decision_idx")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.decided_on:%d %b %Y})"


class BlockingKey(models.Model):
    """The real-time index: each agency record under the keys of the active model's
    blocking rules, hashed (the keys are built from names and dates of birth). Derived
    data, rebuilt by each linkage run: not a record of anything."""

    model = models.ForeignKey(LinkageModel, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey("people.AgencyRecord", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["model", "key"], name="blocking_key_idx")]

    def __str__(self) -> str:
        return self.key
