"""The audit log is append-only, and `tellonce audit verify` detects tampering."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tellonce.audit.models import Action, AuditEvent, AuditLogIsAppendOnlyError, Channel
from tellonce.audit.services import audit_record
from tellonce.audit.tests.guards import guards_off

pytestmark = pytest.mark.django_db


def some_entries(world, n=5):
    return [
        audit_record(
            actor=world.sam,
            action=Action.VIEW,
            channel=Channel.WEB,
            person=world.amir,
            ip_address="10.0.0.1",
            detail={"i": i},
        )
        for i in range(n)
    ]


def test_each_entry_carries_the_hash_of_the_one_before(world):
    events = some_entries(world)
    for before, after in pairwise(events):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1


def test_verify_passes_on_an_untouched_log(world, capsys):
    some_entries(world)
    call_command("audit", "verify")
    assert "The audit log is intact" in capsys.readouterr().out


def test_the_application_refuses_to_edit_or_delete_an_entry(world):
    event = some_entries(world, 1)[0]
    event.reason = "changed"
    with pytest.raises(AuditLogIsAppendOnlyError):
        event.save()
    with pytest.raises(AuditLogIsAppendOnlyError):
        event.delete()


def test_the_database_refuses_an_update_too(world):
    event = some_entries(world, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="covering my tracks")


def test_verify_detects_an_edited_entry(world, capsys):
    events = some_entries(world)
    guards_off()  # as a database administrator could; rolled back after the test
    AuditEvent.objects.filter(pk=events[2].pk).update(actor_label="someone-else")
    with pytest.raises(CommandError, match="tampered"):
        call_command("audit", "verify")
    assert (
        f"entry {events[2].seq}: HMAC does not match (altered or forged)" in capsys.readouterr().err
    )


def test_verify_detects_a_removed_entry(world, capsys):
    events = some_entries(world)
    guards_off()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert "missing" in capsys.readouterr().err


def test_verify_detects_a_removed_last_entry(world, capsys):
    events = some_entries(world)
    guards_off()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert f"should end at entry {events[-1].seq}" in capsys.readouterr().err


def test_the_chain_head_cannot_be_wound_back(world):
    from tellonce.audit.models import AuditChainHead

    some_entries(world, 3)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.filter(pk=1).update(last_seq=1)


def test_verify_detects_an_emptied_log(world, capsys):
    some_entries(world, 2)
    guards_off()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditchainhead")
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert "the chain head is missing" in capsys.readouterr().err


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE guard is PostgreSQL's")
def test_postgresql_refuses_to_truncate_the_log(world):
    some_entries(world, 1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL tellonce.allow_audit_truncate = 'off'")
        cursor.execute("TRUNCATE audit_auditevent")
