"""The database guards the audit log, the application's role cannot take the guards
away, and checkpoints of the chain are written outside the database."""

from __future__ import annotations

import json
import socket

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from tellonce.audit.checkpoints import audit_clock_tick, checkpoints_read
from tellonce.audit.models import Action, AuditEvent, Channel
from tellonce.audit.services import audit_record

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


def _look(world, n: int = 1) -> None:
    for _ in range(n):
        audit_record(actor=world.sam, action=Action.VIEW, channel=Channel.WEB, person=world.amir)


def _refused(statement: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


@override_settings(AUDIT_TABLES_FLUSHABLE=False)
def test_the_database_refuses_to_delete_an_entry_or_the_chain_head(world):
    _look(world)
    _refused("DELETE FROM audit_auditevent")
    _refused("UPDATE audit_auditevent SET actor_label = 'someone-else'")
    _refused("DELETE FROM audit_auditchainhead")
    _refused("UPDATE audit_auditchainhead SET last_seq = 0")
    assert AuditEvent.objects.count() == AuditEvent.objects.last().seq


def test_every_guard_is_in_place_after_the_migrations(db):
    with connection.cursor() as cursor:
        if ON_POSTGRESQL:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                " AND tgrelid::regclass::text LIKE 'audit_%%'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    expected = {"audit_append_only", "audit_head_forward_only"}
    if ON_POSTGRESQL:
        expected |= {"audit_event_no_truncate", "audit_head_no_truncate"}
    else:
        expected |= {"audit_no_delete", "audit_head_no_delete"}
    assert expected <= names


@pytest.mark.skipif(not ON_POSTGRESQL, reason="roles are PostgreSQL's")
def test_the_applications_role_may_only_read_and_append_to_the_log(world):
    """The owner grants the application's role; as that role, appending works and
    changing, removing or unguarding the log is refused."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE tellonce_audit_app_test NOLOGIN")  # rolled back after
    call_command("audit", "grant", "tellonce_audit_app_test", "--apply")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL ROLE tellonce_audit_app_test")
    _look(world)  # the application appends, as the role
    for statement in (
        "UPDATE audit_auditevent SET reason = 'covering my tracks'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "DELETE FROM audit_auditchainhead",
        "DROP TRIGGER audit_append_only ON audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_head_forward_only ON audit_auditchainhead",
        "SET session_replication_role = replica",
        "UPDATE audit_auditchainhead SET last_seq = 1",
        "DELETE FROM django_migrations",
    ):
        _refused(statement)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "tellonce_audit_app_test"
    call_command("audit", "verify")


def test_a_checkpoint_is_written_every_so_many_entries(
    world, settings, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_ENTRIES = 5
    start = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        _look(world, 12)
    written = [c.sequence for c in checkpoints_read().valid]
    assert written == [n for n in range(start + 1, start + 13) if n % 5 == 0]


def test_a_clock_round_writes_a_checkpoint_only_when_there_are_new_entries(world):
    _look(world)
    assert audit_clock_tick() == {"checkpoints": 1}
    assert audit_clock_tick() == {"checkpoints": 0}
    _look(world)
    assert audit_clock_tick() == {"checkpoints": 1}
    latest = checkpoints_read().valid[-1]
    assert latest.sequence == AuditEvent.objects.last().seq


def test_a_checkpoint_goes_to_syslog_too(world, settings, capsys):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    settings.AUDIT_CHECKPOINT_SYSLOG = f"127.0.0.1:{receiver.getsockname()[1]}"
    try:
        call_command("audit", "checkpoint")
        message = receiver.recv(4096).decode()
    finally:
        receiver.close()
    sent = json.loads(message.split("tellonce-audit-checkpoint ", 1)[1].rstrip("\x00"))
    written = checkpoints_read().valid[-1]
    assert (sent["sequence"], sent["hash"], sent["at"]) == (
        written.sequence,
        written.hash,
        written.at,
    )
    assert f"Checkpoint written: entry {written.sequence}" in capsys.readouterr().out


@pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL roles")
def test_signed_in_as_the_applications_role_the_log_can_be_read_and_not_rewritten(
    transactional_db, world
):
    """Two roles, as the deployment guide sets them up: the owner (this test's
    connection) migrates and grants; the application signs in as a role of its own."""
    import psycopg

    role = "tellonce_audit_login_test"
    _look(world, 3)
    entries = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    try:
        call_command("audit", "grant", role, "--apply")
        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            dbname=db["NAME"],
            user=role,
            autocommit=True,
        ) as app:
            assert app.execute("SELECT current_user").fetchone()[0] == role
            assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == entries
            app.execute("SELECT count(*) FROM people_person").fetchone()
            for statement in (
                "UPDATE audit_auditevent SET reason = 'covering my tracks'",
                "DELETE FROM audit_auditevent",
                "TRUNCATE audit_auditevent",
                "DELETE FROM audit_auditchainhead",
                "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
                "DROP TRIGGER audit_append_only ON audit_auditevent",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app.execute(statement)
        assert AuditEvent.objects.count() == entries
        call_command("audit", "verify")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
