"""Agency feeds as received: each import of a file (`FeedImport`), the rows it could not
take and why (`FeedRowProblem`), and the involvements agency records report
(`ReportedInvolvement`), kept as the agency sent them until the record is linked to a
person and they become entries in the involvement register.

Nothing here holds a name, date of birth or identifier outside `AgencyRecord` and
`ReportedInvolvement`: a problem names the row and field, never the cell's value.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tellonce.core.models import Timestamped, Undeletable
from tellonce.involvements.models import Capacity


class ImportStatus(models.TextChoices):
    """What became of an import. A refused file wrote no records; one stopped part way
    wrote whole batches, which its counts give (`feeds.services`)."""

    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused: nothing was written"
    STOPPED_PART_WAY = "stopped_part_way", "Stopped part way"


class FeedImport(Undeletable):
    """One run of `tellonce import`: which agency system's file, and what became of it.

    Every run is kept, a repeat of the same file too, so that the log says what was
    received and when even when nothing changed."""

    agency = models.ForeignKey(
        "organisations.Agency", on_delete=models.PROTECT, related_name="feed_imports"
    )
    system = models.CharField(max_length=100)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    mapping_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    status_reason = models.TextField(
        blank=True, help_text="Why the file was refused or the import stopped."
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_new = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    started_on = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When the running import last wrote a batch (and its counts so far): one whose"
            " heartbeat stops is marked stopped part way."
        ),
    )
    finished_on = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when run from the command line.",
    )

    class Meta:
        ordering = ["-started_on"]
        indexes = [models.Index(fields=["agency", "started_on"], name="feed_import_agency_idx")]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.file_name} ({self.system})"

    @property
    def counts(self) -> dict[str, int]:
        return {
            "read": self.rows_read,
            "new": self.rows_new,
            "updated": self.rows_updated,
            "unchanged": self.rows_unchanged,
            "skipped": self.rows_skipped,
        }


class FeedRowProblem(Undeletable):
    """Why one row of a feed was skipped. `field` is empty when the row as a whole could
    not be read (ragged CSV, broken JSON)."""

    feed = models.ForeignKey(FeedImport, on_delete=models.PROTECT, related_name="problems")
    row_number = models.PositiveIntegerField()
    field = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["feed", "row_number", "id"]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.field or 'row'}: {self.reason}"


class ReportedInvolvement(Timestamped, Undeletable):
    """An agency's work with the person on its record, as its feed reported it.

    Identified within the record by team, capacity and start date: a later row with the
    same three updates the end date, end reason, named worker and lead professional.
    When the record is linked to a person it becomes an `Involvement` on that person
    (`reported_involvements_materialise`), which `involvement` then points at.
    """

    agency_record = models.ForeignKey(
        "people.AgencyRecord", on_delete=models.PROTECT, related_name="reported_involvements"
    )
    team = models.ForeignKey(
        "organisations.Team", on_delete=models.PROTECT, related_name="reported_involvements"
    )
    capacity = models.CharField(max_length=30, choices=Capacity.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    practitioner_name = models.CharField(
        max_length=200, blank=True, help_text="The named worker, as the agency wrote it."
    )
    is_lead_professional = models.BooleanField(default=False)
    received_on = models.DateTimeField(default=timezone.now)
    feed = models.ForeignKey(
        FeedImport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_involvements",
    )
    feed_row = models.PositiveIntegerField(null=True, blank=True)
    involvement = models.OneToOneField(
        "involvements.Involvement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_as",
        help_text="The register entry it became once the record was linked to a person.",
    )

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency_record", "team", "capacity", "started_on"],
                name="reported_involvement_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_capacity_display()} from {self.started_on:%d %b %Y}"


class ReportedEvent(Timestamped, Undeletable):
    """A significant event about the person on an agency record, as its feed reported
    it. Known within the record by the agency's own id for the event (`external_ref`),
    or else by its kind, date and words: the same row again changes nothing. When the
    record is linked to a person it becomes an entry in the person's chronology
    (`reported_events_materialise`), which `chronology_event` then points at."""

    agency_record = models.ForeignKey(
        "people.AgencyRecord", on_delete=models.PROTECT, related_name="reported_events"
    )
    kind = models.CharField(max_length=30)
    occurred_on = models.DateField()
    occurred_at = models.TimeField(null=True, blank=True)
    summary = models.TextField()
    unscheduled = models.BooleanField(default=False)
    external_ref = models.CharField(max_length=100, blank=True)
    received_on = models.DateTimeField(default=timezone.now)
    feed = models.ForeignKey(
        FeedImport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    feed_row = models.PositiveIntegerField(null=True, blank=True)
    chronology_event = models.OneToOneField(
        "chronology.ChronologyEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_as",
    )

    class Meta:
        indexes = [models.Index(fields=["agency_record"], name="reported_event_record_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.occurred_on}"


class ReportedFamily(Timestamped, Undeletable):
    """Who the person on an agency record lives with and how they are related, as the
    agency's record says it (`tellonce.feeds.family`): its own household or family
    reference, and what it says of the records it names. Replaced whole each time the
    record is sent with any of these fields; made into TellOnce households and
    relationships on the persons once the records are linked."""

    agency_record = models.OneToOneField(
        "people.AgencyRecord", on_delete=models.PROTECT, related_name="reported_family"
    )
    household_ref = models.CharField(
        max_length=100, blank=True, help_text="The agency's own household or family reference"
    )
    received_on = models.DateTimeField(default=timezone.now)
    feed = models.ForeignKey(
        FeedImport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    feed_row = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Family of record {self.agency_record_id}"


class ReportedRelative(Timestamped, Undeletable):
    """One record the agency's record names, and what that person is to this one:
    another record of the same system (`relative<n>_...`), or a contact the record
    names, which is a record of its own, `<local id>#contact-<n>` (`contact<n>_...`)."""

    family = models.ForeignKey(ReportedFamily, on_delete=models.PROTECT, related_name="relatives")
    position = models.CharField(max_length=20, help_text="relative1, contact2, ...")
    record_local_id = models.CharField(
        max_length=80, help_text="The named record's id in the same agency system"
    )
    kind = models.CharField(max_length=20, help_text="A people.RelationshipKind")
    has_parental_responsibility = models.BooleanField(default=False)
    lives_with = models.BooleanField(default=False)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["family", "position"], name="reported_relative_once")
        ]
        indexes = [models.Index(fields=["record_local_id"], name="reported_relative_named_idx")]

    def __str__(self) -> str:
        return f"{self.position} of family {self.family_id}"


class AgencyHousehold(Timestamped, Undeletable):
    """The TellOnce household an agency's own household reference became (one per
    agency, system and reference)."""

    agency = models.ForeignKey("organisations.Agency", on_delete=models.PROTECT, related_name="+")
    system = models.CharField(max_length=100)
    ref = models.CharField(max_length=120)
    household = models.OneToOneField(
        "people.Household", on_delete=models.PROTECT, related_name="agency_household"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "system", "ref"], name="agency_household_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system} household {self.ref}"
