"""Changes made in Django's admin (agencies, teams, accounts) go to the audit chain:
what was added, and for a change each field with what it was before and after
(`AuditedAdmin`; a password is said to have changed, never shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from tellonce.audit.models import Action, Channel
from tellonce.audit.services import audit_record, audit_via, via_request

_SECRET = frozenset({"password"})


@receiver(post_save, sender=LogEntry)
def audit_admin_change(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created or instance.action_flag not in (ADDITION, DELETION):
        return  # a change is audited field by field (`AuditedAdmin`)
    audit_record(
        actor=instance.user,  # type: ignore[arg-type]
        action=Action.ADMIN,
        channel=Channel.WEB,
        detail={
            "model": instance.content_type.model if instance.content_type else "",
            "object_id": instance.object_id or "",
            "change": {ADDITION: "added", DELETION: "deleted"}[instance.action_flag],
        },
    )


def _shown(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | models.QuerySet):
        return [_shown(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class AuditedAdmin(admin.ModelAdmin):
    """An admin whose changes are audited field by field, before and after."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = [f for f in form.changed_data if f in form.fields]
        before = {}
        if change and obj.pk:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = {f: getattr(stored, f, None) for f in fields} if stored else {}
        super().save_model(request, obj, form, change)
        if change and fields:
            audit_via(
                via_request(request),
                user=request.user,  # type: ignore[arg-type]
                action=Action.ADMIN,
                obj=obj,
                detail={
                    "model": obj._meta.model_name,
                    "object_id": str(obj.pk),
                    "change": "changed",
                    "fields": {
                        f: "changed"
                        if f in _SECRET
                        else {
                            "before": _shown(before.get(f)),
                            "after": _shown(getattr(obj, f, None)),
                        }
                        for f in fields
                    },
                },
            )
