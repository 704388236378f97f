from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


def _flush_allowed() -> int:
    """Whether this process may empty the audit tables: only the test runner may (see
    migration 0006)."""
    return 1 if getattr(settings, "AUDIT_TABLES_FLUSHABLE", False) else 0


def _define_flush_allowed(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("tellonce_audit_flush_allowed", 0, _flush_allowed)


class AuditConfig(AppConfig):
    name = "tellonce.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        connection_created.connect(_define_flush_allowed, dispatch_uid="audit_flush_allowed")
