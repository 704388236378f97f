"""The involvement register: which agency, team and practitioner is working with a
person, in what capacity, since when, and how to reach them.

An active involvement is what gives a team a legitimate relationship with a child, so
who may record what is a rule (`CAPACITIES_BY_SERVICE`): a school records its own
pupils' schooling, only the council's children's social care records child in need,
child protection and looked after, only police teams a police investigation, and so
on through every capacity. An involvement a practitioner records on a page or through
the API waits for confirmation (`Confirmation.AWAITING`) before it opens the record;
one from an agency's own system of record, or from TellOnce's own work (the MASH),
counts at once. See decision 0008.
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
from tellonce.organisations.models import AgencyKind, Service


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


#: Which capacities a team of each service may record: anything else is refused, on the
#: pages, the API and from feeds alike.
CAPACITIES_BY_SERVICE: dict[str, frozenset[str]] = {
    Service.MASH: frozenset({Capacity.MASH_ENQUIRY}),
    Service.POLICE_MASH: frozenset({Capacity.MASH_ENQUIRY, Capacity.POLICE_INVESTIGATION}),
    Service.HEALTH_MASH: frozenset({Capacity.MASH_ENQUIRY}),
    Service.EDUCATION_MASH: frozenset({Capacity.MASH_ENQUIRY}),
    Service.EMERGENCY_DUTY: frozenset(
        {Capacity.CHILD_IN_NEED, Capacity.CHILD_PROTECTION, Capacity.LOOKED_AFTER}
    ),
    Service.ASSESSMENT: frozenset({Capacity.CHILD_IN_NEED, Capacity.CHILD_PROTECTION}),
    Service.CHILD_PROTECTION: frozenset({Capacity.CHILD_PROTECTION, Capacity.CHILD_IN_NEED}),
    Service.CHILDREN_IN_CARE: frozenset({Capacity.LOOKED_AFTER}),
    Service.LEAVING_CARE: frozenset({Capacity.LEAVING_CARE}),
    Service.EARLY_HELP: frozenset({Capacity.EARLY_HELP}),
    Service.POLICE_PUBLIC_PROTECTION: frozenset({Capacity.POLICE_INVESTIGATION}),
    Service.YOUTH_JUSTICE: frozenset({Capacity.YOUTH_JUSTICE}),
    Service.HEALTH_VISITING: frozenset({Capacity.HEALTH_VISITING, Capacity.EARLY_HELP}),
    Service.SCHOOL_NURSING: frozenset({Capacity.SCHOOL_NURSING, Capacity.EARLY_HELP}),
    Service.GP: frozenset({Capacity.GP}),
    Service.EMERGENCY_DEPARTMENT: frozenset({Capacity.AE_ATTENDANCE}),
    Service.CAMHS: frozenset({Capacity.CAMHS}),
    # A school's safeguarding lead, a health visitor or a voluntary sector worker may
    # lead a family's early help.
    Service.SCHOOL_SAFEGUARDING: frozenset({Capacity.SCHOOL, Capacity.EARLY_HELP}),
    Service.HOUSING: frozenset({Capacity.HOUSING}),
    Service.VOLUNTARY: frozenset({Capacity.VOLUNTARY_SERVICE, Capacity.EARLY_HELP}),
}
#: Statutory social care and policing: recorded only by the council, or the police.
COUNCIL_CAPACITIES = frozenset(
    {Capacity.CHILD_IN_NEED, Capacity.CHILD_PROTECTION, Capacity.LOOKED_AFTER}
)
POLICE_CAPACITIES = frozenset({Capacity.POLICE_INVESTIGATION})
#: The council's children's social care: whose child protection and looked-after
#: involvements CP-IS flags to health.
CHILDRENS_SOCIAL_CARE = frozenset(
    {
        Service.MASH,
        Service.EMERGENCY_DUTY,
        Service.ASSESSMENT,
        Service.CHILD_PROTECTION,
        Service.CHILDREN_IN_CARE,
    }
)


def capacity_problem(*, service: str, agency_kind: str, team_name: str, capacity: str) -> str:
    """Why a team may not record this capacity, or nothing."""
    label = Capacity(capacity).label if capacity in Capacity.values else capacity
    if capacity not in CAPACITIES_BY_SERVICE.get(service, frozenset()) or (
        capacity in COUNCIL_CAPACITIES and agency_kind != AgencyKind.LOCAL_AUTHORITY
    ):
        what = Service(service).label if service in Service.values else service
        return f"{label} is not work {team_name} ({what.lower()}) records"
    if capacity in POLICE_CAPACITIES and agency_kind != AgencyKind.POLICE:
        return f"{label} is recorded only by the police, not by {team_name}"
    return ""


class Confirmation(models.TextChoices):
    """Why an involvement counts: what opens the record (`tellonce.access.policy`)."""

    SYSTEM_OF_RECORD = "system_of_record", "From the agency's own system"
    TELLONCE = "tellonce", "TellOnce's own work"
    CONFIRMED = "confirmed", "Confirmed"
    AWAITING = "awaiting", "Waiting for confirmation"


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

    def counting(self) -> InvolvementQuerySet:
        """Those that count as a relationship: not waiting for confirmation."""
        return self.exclude(confirmation=Confirmation.AWAITING)


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
    confirmation = models.CharField(
        max_length=20, choices=Confirmation.choices, default=Confirmation.AWAITING
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who confirmed it: a manager of the team, the lead professional or a MASH"
        " manager.",
    )
    confirmed_on = models.DateTimeField(null=True, blank=True)
    confirm_by = models.DateTimeField(
        null=True, blank=True, help_text="An involvement waiting for confirmation lapses then."
    )

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
