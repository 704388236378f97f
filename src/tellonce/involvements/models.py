"""The involvement register: which agency, team and practitioner is working with a
person, in what capacity, since when, and how to reach them.

An active involvement is what gives a team a legitimate relationship with a child.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from tellonce.core.models import (
    Archivable,
    ArchivableQuerySet,
    LiveManager,
    Provenance,
    Timestamped,
)


class Capacity(models.TextChoices):
    SCHOOL = "school", "School"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    SCHOOL_NURSING = "school_nursing", "School nursing"
    GP = "gp", "GP"
    CAMHS = "camhs", "CAMHS"
    AE_ATTENDANCE = "ae_attendance", "A&E attendance"
    EARLY_HELP = "early_help", "Early help"
    MASH_ENQUIRY = "mash_enquiry", "MASH enquiry"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    LOOKED_AFTER = "looked_after", "Looked after"
    LEAVING_CARE = "leaving_care", "Leaving care"
    POLICE_INVESTIGATION = "police_investigation", "Police investigation"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    HOUSING = "housing", "Housing"
    VOLUNTARY_SERVICE = "voluntary_service", "Voluntary sector service"


#: Involvements whose very existence is sensitive: the flag names only the agency.
SENSITIVE_CAPACITIES = frozenset(
    {Capacity.CAMHS, Capacity.POLICE_INVESTIGATION, Capacity.YOUTH_JUSTICE}
)


class InvolvementQuerySet(ArchivableQuerySet):
    def active(self, *, grace_days: int | None = None) -> InvolvementQuerySet:
        """Current involvements, and those ended within the grace period."""
        days = settings.INVOLVEMENT_ACCESS_GRACE_DAYS if grace_days is None else grace_days
        since = timezone.localdate() - timedelta(days=days)
        return self.filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=since))

    def current(self) -> InvolvementQuerySet:
        return self.filter(ended_on__isnull=True)


InvolvementManager = LiveManager.from_queryset(InvolvementQuerySet)


class Involvement(Timestamped, Archivable, Provenance):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="involvements"
    )
    team = models.ForeignKey(
        "organisations.Team", on_delete=models.PROTECT, related_name="involvements"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="involvements",
        help_text="The named worker, when there is one.",
    )
    capacity = models.CharField(max_length=30, choices=Capacity.choices)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    is_lead_professional = models.BooleanField(default=False)

    objects = InvolvementManager()  # type: ignore[misc,assignment]

    class Meta:
        ordering = ["-started_on"]
        indexes = [
            models.Index(fields=["person", "team"], name="involvement_person_team_idx"),
            models.Index(fields=["team", "ended_on"], name="involvement_team_idx"),
        ]
        constraints = [
            # One lead professional per child: `services.involvement_start` says who
            # holds it; this holds even for a write that went round it.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(
                    is_lead_professional=True, ended_on__isnull=True, archived_on__isnull=True
                ),
                name="involvement_one_lead_professional",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} ({self.get_capacity_display()})"

    @property
    def capacity_in_sentence(self) -> str:
        """The capacity inside a sentence: "health visiting", but "MASH enquiry", "GP"."""
        first, _, rest = self.get_capacity_display().partition(" ")
        first = first if first.isupper() else first.lower()
        return f"{first} {rest}".strip()
