"""Guard the chain head: it moves forward one entry at a time and cannot be wound back,
so removing the newest entries is always detected by `tellonce audit verify`. On
PostgreSQL the audit tables also refuse TRUNCATE, unless the session sets
`tellonce.allow_audit_truncate` (the test runner's flush does; nothing else should).
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be removed';
    END IF;
    IF NEW.last_seq <> OLD.last_seq + 1 THEN
        RAISE EXCEPTION 'the audit chain head only moves forward one entry at a time';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();

CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('tellonce.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log cannot be truncated';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_head_forward_only();
DROP FUNCTION IF EXISTS audit_refuse_truncate();
"""
SQLITE_FORWARD = """
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_auditchainhead
WHEN NEW.last_seq <> OLD.last_seq + 1
BEGIN
    SELECT RAISE(ABORT, 'the audit chain head only moves forward one entry at a time');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_head_forward_only;"


def forward(apps, schema_editor):
    sql = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    sql = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(
        schema_editor.connection.vendor
    )
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(forward, backward)]
