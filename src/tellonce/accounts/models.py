"""Who uses TellOnce: practitioners (people) and agency system accounts (machines).

A practitioner belongs to one team and holds one or more roles. A system account
belongs to its agency's systems team and authenticates the API with a token; it can do
only what its agency may do.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models

from tellonce.core.models import RecordCannotBeDeleted, Undeletable, UndeletableQuerySet
from tellonce.organisations.models import MASH_ROLES, NO_CASEWORK_ROLES, Role, Team


class UserManager(DjangoUserManager.from_queryset(UndeletableQuerySet)):  # type: ignore[misc]
    """Django's user manager, whose querysets refuse `delete()`."""


class User(AbstractUser):
    """Never deleted: an account is closed by making it inactive, and the audit log and
    the records it wrote keep referring to it."""

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

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RecordCannotBeDeleted("User accounts are closed, never deleted.")

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in sorted(self.role_set)]

    @property
    def job(self) -> str:
        """What the person does, as their own record says ("Health visitor"); the
        roles TellOnce gives them only where no job title is recorded."""
        return self.job_title or ", ".join(self.role_labels)

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


class UserRole(Undeletable):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=40, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return Role(self.role).label


class EnrolmentInvitation(Undeletable):
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


class ApiToken(Undeletable):
    """An agency system account's API token. Shown once when made, kept only as a hash,
    it expires (`API_TOKEN_DAYS`), and is rotated or revoked with an audit entry."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=8, editable=False, help_text="The token's first characters, to tell it apart"
    )
    created_on = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_on = models.DateTimeField()
    revoked_on = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_on"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AccountChangeKind(models.TextChoices):
    ADD_ROLE = "add_role", "Give a role"
    SET_TEAM = "set_team", "Move to a team"
    SET_MANAGER = "set_manager", "Make a manager"
    SET_STAFF = "set_staff", "Let into the admin"
    SET_SUPERUSER = "set_superuser", "Make a superuser"


class AccountChange(Undeletable):
    """A change that widens what an account may see or do (a role, a team, manager,
    admin or superuser status): asked for by one administrator, made only when a second
    one approves. Neither may be the account's holder."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="account_changes")
    kind = models.CharField(max_length=20, choices=AccountChangeKind.choices)
    value = models.CharField(
        max_length=100, blank=True, help_text="The role's code, or the team's id"
    )
    reason = models.TextField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)

    class Meta:
        ordering = ["-requested_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}"

    @property
    def described(self) -> str:
        if self.kind == AccountChangeKind.ADD_ROLE and self.value in Role.values:
            return f"Give {self.user} the role {Role(self.value).label}"
        if self.kind == AccountChangeKind.SET_TEAM:
            team = Team.objects.filter(pk=self.value).first() if self.value.isdigit() else None
            return f"Move {self.user} to {team or self.value}"
        return f"{self.get_kind_display()}: {self.user}"
