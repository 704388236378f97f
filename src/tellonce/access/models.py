"""Break-glass grants: access to a record without a relationship, for a stated reason,
for a few hours, audited and shown to the managers of the teams involved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tellonce.core.models import Undeletable, UndeletableQuerySet


class BreakGlassQuerySet(UndeletableQuerySet):
    def in_force(self) -> BreakGlassQuerySet:
        return self.filter(expires_on__gt=timezone.now())


class BreakGlassGrant(Undeletable):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.TextField()
    granted_on = models.DateTimeField(default=timezone.now)
    expires_on = models.DateTimeField()

    objects = BreakGlassQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-granted_on"]
        indexes = [models.Index(fields=["user", "person", "expires_on"], name="break_glass_idx")]

    def __str__(self) -> str:
        return f"{self.user} on {self.granted_on:%d %b %Y %H:%M}"

    @property
    def is_in_force(self) -> bool:
        return self.expires_on > timezone.now()
