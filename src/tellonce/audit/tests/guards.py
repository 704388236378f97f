"""What a database owner could do to the audit tables' guards, for the tamper tests."""

from __future__ import annotations

from django.db import connection

SQLITE_TRIGGERS = (
    "audit_append_only",
    "audit_no_delete",
    "audit_head_forward_only",
    "audit_head_no_delete",
)


def guards_off() -> None:
    """Stop the triggers on the audit tables, for this test's transaction only."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
