"""The append-only audit log: every view of a person's record, every search, export,
change and break-glass, with who, when, what, from where and why.

Each entry carries an HMAC-SHA256, keyed with `AUDIT_KEY` (a setting, never in the
database), of its own fields and the previous entry's HMAC, so an edited, removed or
inserted entry breaks the chain and `tellonce audit verify` finds it; someone who can
write to the database but does not hold the key cannot forge a link. Entries written
before the key (algorithm "sha256") carry a plain SHA-256 and are still verified. The
head of the chain is also written, signed, outside the database (`checkpoints`), so
a chain cut short or rewritten as a whole is found too. The application refuses to
update or delete entries, and database triggers refuse it too
(migrations 0002, 0003 and 0006).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

#: The previous hash of the first entry, and the head of an empty chain.
GENESIS_HASH = "0" * 64


class AuditLogIsAppendOnlyError(Exception):
    pass


class Action(models.TextChoices):
    VIEW = "view", "Viewed record"
    VIEW_FLAG = "view_flag", "Viewed flag"
    VIEW_LIST = "view_list", "Viewed a list of people"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    CHANGE = "change", "Changed"
    BREAK_GLASS = "break_glass", "Broke the glass"
    ACCESS_DENIED = "access_denied", "Was refused access"
    PASSWORD_ACCEPTED = "password_accepted", "Gave the right password (second factor to come)"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed to sign in"
    SIGN_OUT = "sign_out", "Signed out"
    ADMIN = "admin", "Administered"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    COMMAND = "command", "Command line"
    TASK = "task", "Background task"


class Algorithm(models.TextChoices):
    SHA256 = "sha256", "SHA-256 (unkeyed: entries from before the audit key)"
    HMAC_SHA256 = "hmac-sha256", "HMAC-SHA256 keyed with AUDIT_KEY"


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    actor_label = models.CharField(max_length=200, editable=False)
    action = models.CharField(max_length=20, choices=Action.choices, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, editable=False)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="The person whose record this was about, if one.",
    )
    object_type = models.CharField(max_length=60, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, editable=False)
    reason = models.TextField(blank=True, editable=False)
    detail = models.JSONField(default=dict, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    algorithm = models.CharField(
        max_length=12,
        choices=Algorithm.choices,
        default=Algorithm.HMAC_SHA256,
        editable=False,
        help_text="How `hash` was computed.",
    )

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["person", "at"], name="audit_person_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditLogIsAppendOnlyError("Audit entries cannot be deleted.")


class AuditChainHead(models.Model):
    """One row: the last sequence number and hash. Locked while an entry is appended,
    so concurrent writers extend the chain one at a time."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"Audit chain at entry {self.last_seq}"
