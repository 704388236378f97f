"""The multi-agency chronology: one timeline of significant events about a child from
every agency, each with its source agency and who recorded it.

Events arrive from agencies' systems (the API), from practitioners (the page), and
from TellOnce itself (an involvement starting or ending). An agency's own event id
(`external_ref`) makes sending the same event about the same person twice harmless.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from tellonce.core.models import Archivable, Provenance, Timestamped


class EventKind(models.TextChoices):
    CONTACT = "contact", "Contact or referral"
    DECISION = "decision", "Decision"
    INCIDENT = "incident", "Incident"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse incident"
    MISSING = "missing", "Missing episode"
    MISSING_RETURN = "missing_return", "Returned after being missing"
    RETURN_INTERVIEW = "return_interview", "Return home interview"
    ENCOMPASS = "encompass", "Operation Encompass notification"
    HEALTH_ATTENDANCE = "health_attendance", "Health attendance"
    EXCLUSION = "exclusion", "School exclusion"
    ATTENDANCE = "attendance", "School attendance concern"
    MEETING = "meeting", "Meeting"
    EARLY_HELP = "early_help", "Early help"
    INVOLVEMENT_STARTED = "involvement_started", "Involvement started"
    INVOLVEMENT_ENDED = "involvement_ended", "Involvement ended"
    OTHER = "other", "Other significant event"


#: Kinds TellOnce writes itself; nobody records them by hand.
SYSTEM_KINDS = (EventKind.INVOLVEMENT_STARTED, EventKind.INVOLVEMENT_ENDED)


class ChronologyEvent(Timestamped, Archivable, Provenance):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="chronology")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    occurred_on = models.DateField()
    occurred_at = models.TimeField(null=True, blank=True, help_text="The time, when known")
    summary = models.TextField(help_text="What happened, in the recorder's words")
    unscheduled = models.BooleanField(
        default=False, help_text="A health attendance at unscheduled care (A&E, out of hours)"
    )
    involvement = models.ForeignKey(
        "involvements.Involvement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chronology_events",
    )
    external_ref = models.CharField(
        max_length=100, blank=True, help_text="The agency system's own id for the event"
    )

    class Meta:
        ordering = ["-occurred_on", "-occurred_at", "-pk"]
        indexes = [models.Index(fields=["person", "occurred_on"], name="chronology_person_idx")]
        constraints = [
            # One incident may concern several children, each with the agency's one id.
            models.UniqueConstraint(
                fields=["person", "source_agency", "source_system", "external_ref"],
                condition=~Q(external_ref=""),
                name="chronology_event_once_per_person_and_ref",
            ),
            models.UniqueConstraint(
                fields=["involvement", "kind"],
                condition=Q(involvement__isnull=False),
                name="chronology_involvement_event_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.get_kind_display()}"

    @property
    def is_unscheduled_care(self) -> bool:
        """A health attendance at unscheduled care (A&E, urgent care, out of hours)."""
        return self.kind == EventKind.HEALTH_ATTENDANCE and self.unscheduled
