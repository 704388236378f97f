"""Base models every TellOnce record builds on.

- `Timestamped`: created and modified on and by.
- `Archivable`: safeguarding records are never hard-deleted; they are archived with who,
  when and why, and hidden from the default manager.
- `Provenance`: every fact says where it came from (agency, system, when received, who
  recorded it, and the agency record it was read from).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class RecordCannotBeDeleted(Exception):
    """Raised on any attempt to hard-delete a safeguarding record."""


class Timestamped(models.Model):
    created_on = models.DateTimeField(default=timezone.now, editable=False)
    modified_on = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True


class ArchivableQuerySet(models.QuerySet):
    def delete(self) -> Any:
        raise RecordCannotBeDeleted(f"{self.model.__name__} records are archived, never deleted.")


class LiveManager(models.Manager):
    """The default manager: archived records are left out."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(archived_on__isnull=True)


ArchivableManager = LiveManager.from_queryset(ArchivableQuerySet)


class UndeletableQuerySet(models.QuerySet):
    def delete(self) -> Any:
        raise RecordCannotBeDeleted(f"{self.model.__name__} records are never deleted.")


UndeletableManager = models.Manager.from_queryset(UndeletableQuerySet)


class Undeletable(models.Model):
    """For records that are kept for good without an archive state: places, agency
    records as received, break-glass grants, and every record of a domain app that has
    no archive state of its own (`core/tests/test_nothing_deleted.py`)."""

    objects = UndeletableManager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RecordCannotBeDeleted(f"{type(self).__name__} records are never deleted.")


class Archivable(models.Model):
    archived_on = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    archive_reason = models.TextField(blank=True, editable=False)

    objects = ArchivableManager()
    all_objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RecordCannotBeDeleted(f"{type(self).__name__} records are archived, never deleted.")


#: The source system of what TellOnce itself records (its own chronology entries, and
#: what practitioners record on its pages): `Provenance.source_system`.
TELLONCE_SYSTEM = "TellOnce"


class Provenance(models.Model):
    """Where a fact came from. Every person fact inherits this."""

    source_agency = models.ForeignKey(
        "organisations.Agency", on_delete=models.PROTECT, related_name="+"
    )
    source_system = models.CharField(max_length=100, help_text="e.g. 'Mosaic', 'SystmOne'")
    received_on = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who recorded it in the source system, when not a TellOnce user.",
    )
    source_record = models.ForeignKey(
        "people.AgencyRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def recorder_label(self) -> str:
        if self.recorded_by_id:
            return str(self.recorded_by)
        return self.recorded_by_name or "Not recorded"


class TaskWorker(models.Model):
    """A task worker process, alive while its heartbeat is fresh (`core.task_lease`):
    a task it left RUNNING after its lease ran out is put back to run again."""

    worker_id = models.CharField(max_length=64, unique=True)
    queues = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    host = models.CharField(max_length=200)
    started_on = models.DateTimeField(default=timezone.now)
    heartbeat_on = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.queues})"
