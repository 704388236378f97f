"""Changes made in Django's admin (agencies, teams, accounts) go to the audit chain too."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

from tellonce.audit.models import Action, Channel
from tellonce.audit.services import audit_record


@receiver(post_save, sender=LogEntry)
def audit_admin_change(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    audit_record(
        actor=instance.user,  # type: ignore[arg-type]
        action=Action.ADMIN,
        channel=Channel.WEB,
        detail={
            "model": instance.content_type.model if instance.content_type else "",
            "object_id": instance.object_id or "",
            "change": {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, ""),
        },
    )
