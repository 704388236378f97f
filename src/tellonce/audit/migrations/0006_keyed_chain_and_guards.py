"""The keyed chain, and the database's guards on both databases.

Entries already written keep their plain SHA-256 (algorithm "sha256"); new ones carry
an HMAC keyed with AUDIT_KEY ("hmac-sha256"), and `tellonce audit verify` checks both.

The guards: the entry table refuses UPDATE and DELETE; the chain head refuses DELETE
and moves forward one entry at a time only. On PostgreSQL these were in place
(migrations 0002 and 0003, with TRUNCATE refused too) and are not changed here. On
SQLite adding a column rebuilds the table, which drops its triggers, so they are all
made again, with DELETE now refused as well. SQLite's DELETE guards allow a delete only
where the connection says `tellonce_audit_flush_allowed()` is 1: the test runner's
flush between browser tests (settings.AUDIT_TABLES_FLUSHABLE, in the test settings
only, read by `audit.apps`). A connection that does not define the function, such as
the `sqlite3` shell, cannot delete at all. The function's name must not contain a
percent sign, nor any of this SQL: psycopg reads `%` as a placeholder.
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS audit_append_only",
    "DROP TRIGGER IF EXISTS audit_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_forward_only",
    "DROP TRIGGER IF EXISTS audit_head_no_delete",
    """CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent
    WHEN tellonce_audit_flush_allowed() IS NOT 1
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_auditchainhead
    WHEN NEW.last_seq <> OLD.last_seq + 1 OR NEW.id <> OLD.id
    BEGIN
        SELECT RAISE(ABORT, 'the audit chain head only moves forward one entry at a time');
    END""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
    WHEN tellonce_audit_flush_allowed() IS NOT 1
    BEGIN
        SELECT RAISE(ABORT, 'the audit chain head cannot be removed');
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_no_delete",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_enrolment_invitations")]
    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="algorithm",
            field=models.CharField(
                choices=[
                    ("sha256", "SHA-256 (unkeyed: entries from before the audit key)"),
                    ("hmac-sha256", "HMAC-SHA256 keyed with AUDIT_KEY"),
                ],
                default="sha256",
                editable=False,
                help_text="How `hash` was computed.",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="algorithm",
            field=models.CharField(
                choices=[
                    ("sha256", "SHA-256 (unkeyed: entries from before the audit key)"),
                    ("hmac-sha256", "HMAC-SHA256 keyed with AUDIT_KEY"),
                ],
                default="hmac-sha256",
                editable=False,
                help_text="How `hash` was computed.",
                max_length=12,
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
