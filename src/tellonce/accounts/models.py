"""Who uses TellOnce: practitioners (people) and agency system accounts (machines).

A practitioner belongs to one team and holds one or more roles. A system account
belongs to its agency's systems team and authenticates the API with a token; it can do
only what its agency may do.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models

from tellonce.organisations.models import MASH_ROLES, NO_CASEWORK_ROLES, Role, Team


class User(AbstractUser):
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_manager = models.BooleanField(
        default=False, help_text="Manages their team: sees who looked at its children."
    )
    is_system_account = models.BooleanField(
        default=False, help_text="An agency system using the API, not a person."
    )
    is_demo_account = models.BooleanField(
        default=False,
        help_text="A synthetic-borough login: signs in without a second factor, demo only.",
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in sorted(self.role_set)]

    @property
    def works_in_mash(self) -> bool:
        return bool(self.role_set & MASH_ROLES) and self.team is not None and bool(self.team.hub)

    @property
    def does_casework(self) -> bool:
        """Practitioners who may search for and look at named children."""
        if self.is_system_account:
            return True
        return bool(self.role_set - NO_CASEWORK_ROLES)

    @property
    def is_case_manager(self) -> bool:
        return self.is_manager or Role.MASH_MANAGER in self.role_set

    @property
    def agency_id(self) -> int | None:
        return self.team.agency_id if self.team else None


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=40, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return Role(self.role).label


class EnrolmentInvitation(models.Model):
    """A one-time invitation from an administrator to set up two-factor sign-in: the
    password alone never shows a second factor's secret. Only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_on = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateTimeField()
    used_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_on"]

    def __str__(self) -> str:
        return f"Two-factor invitation for {self.user}"
