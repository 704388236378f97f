"""The record of a seeded synthetic borough: which one, when, and how big.

One `SeedRun` per database: `tellonce seed` reads it to know whether the borough it was
asked for is already there (and then does nothing) or a different one is (and then
refuses).
"""

from __future__ import annotations

from django.db import models

from tellonce.core.models import Undeletable, UndeletableManager


class SeedRun(Undeletable):
    seed = models.PositiveIntegerField()
    children = models.PositiveIntegerField()
    as_of = models.DateField(help_text="The day ages and dates in the borough count from.")
    started_on = models.DateTimeField()
    finished_on = models.DateTimeField()
    people = models.PositiveIntegerField(default=0)
    agency_records = models.PositiveIntegerField(default=0)
    counts = models.JSONField(
        default=dict, help_text="Rows written to each table, and the borough's summary."
    )

    # Declared again so the type checker reads `objects` as SeedRun's own manager.
    objects = UndeletableManager()  # type: ignore[misc,assignment]

    class Meta:
        ordering = ["-finished_on"]

    def __str__(self) -> str:
        return f"Synthetic borough: {self.children:,} children, seed {self.seed}"

    @property
    def seconds(self) -> float:
        return (self.finished_on - self.started_on).total_seconds()
