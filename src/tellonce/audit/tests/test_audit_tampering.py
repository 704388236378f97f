"""Someone who owns the database rewrites the audit log, and `tellonce audit verify`
says exactly what was done and where.

The log holds twenty entries, most of them Sam's looks at Amir's record, and a
checkpoint of the chain was written outside the database after the twentieth. Then the
log is tampered with as a database owner could: with the triggers off, and without the
audit key (the forger guesses one) or, for an insider who has read the key, with it.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from tellonce.audit.chain import hash_of
from tellonce.audit.checkpoints import Checkpoint, checkpoint_write
from tellonce.audit.models import GENESIS_HASH, Action, AuditEvent, Channel
from tellonce.audit.services import audit_record
from tellonce.audit.tests.guards import guards_off
from tellonce.audit.tests.test_audit_chain import some_entries

pytestmark = pytest.mark.django_db

GUESSED_KEY = "a forger's guess at the audit key, long enough"


@pytest.fixture
def checkpoint(world) -> Checkpoint:
    some_entries(world, 20 - AuditEvent.objects.count())
    written = checkpoint_write()
    assert written.sequence == 20
    guards_off()
    return written


def _report(capsys) -> list[str]:
    with pytest.raises(CommandError, match="tampered with"):
        call_command("audit", "verify")
    return capsys.readouterr().err.splitlines()


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _rechain(from_seq: int, key: str) -> None:
    """Recompute each entry's link and HMAC from `from_seq` on, with `key`, and the head."""
    with override_settings(AUDIT_KEY=key):
        before = AuditEvent.objects.filter(seq=from_seq - 1).first()
        prev = before.hash if before else GENESIS_HASH
        for event in AuditEvent.objects.filter(seq__gte=from_seq).order_by("seq"):
            event.prev_hash = prev
            prev = hash_of(event)
            AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=prev)
    last = AuditEvent.objects.order_by("seq").last()
    _sql("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s", [last.seq, last.hash])


def test_an_untouched_log_verifies_against_its_checkpoint(checkpoint, capsys):
    call_command("audit", "verify")
    assert (
        "The audit log is intact: 20 entries verified and 1 checkpoint(s), the latest at"
        f" entry 20 written {checkpoint.at}." in capsys.readouterr().out
    )


def test_the_log_emptied_and_its_head_reset(checkpoint, capsys):
    _sql("DELETE FROM audit_auditevent")
    _sql("UPDATE audit_auditchainhead SET last_seq = 0, last_hash = %s", [GENESIS_HASH])
    assert _report(capsys) == [
        f"the log is empty, but the checkpoint written {checkpoint.at} holds entries up to 20"
    ]


def test_a_forged_entry_correctly_chained_onto_the_end(checkpoint, world, capsys):
    with override_settings(AUDIT_KEY=GUESSED_KEY):
        audit_record(actor=world.tom, action=Action.VIEW, channel=Channel.WEB, person=world.amir)
    assert _report(capsys) == ["entry 21: HMAC does not match (altered or forged)"]


def test_the_last_five_entries_cut_and_the_head_wound_back(checkpoint, capsys):
    _sql("DELETE FROM audit_auditevent WHERE seq > 15")
    last = AuditEvent.objects.get(seq=15)
    _sql("UPDATE audit_auditchainhead SET last_seq = 15, last_hash = %s", [last.hash])
    assert _report(capsys) == [
        f"entries 16 to 20: missing: the latest checkpoint (sequence 20, written {checkpoint.at})"
        " is beyond the chain's end 15"
    ]


def test_entry_10s_actor_rewritten_and_every_hash_after_it_recomputed(checkpoint, world, capsys):
    AuditEvent.objects.filter(seq=10).update(actor=world.tom, actor_label=world.tom.username)
    _rechain(10, GUESSED_KEY)
    assert _report(capsys) == [
        "entries 10 to 20: HMAC does not match (altered or forged)",
        f"entry 20: not the entry the checkpoint written {checkpoint.at} holds:"
        " the chain was rewritten up to here",
    ]


def test_entry_10_rewritten_by_an_insider_who_has_the_key(checkpoint, world, settings, capsys):
    AuditEvent.objects.filter(seq=10).update(actor=world.tom, actor_label=world.tom.username)
    _rechain(10, settings.AUDIT_KEY)
    assert _report(capsys) == [
        f"entry 20: not the entry the checkpoint written {checkpoint.at} holds:"
        " the chain was rewritten up to here",
    ]


def test_an_entry_deleted_and_the_rest_renumbered(checkpoint, capsys):
    _sql("DELETE FROM audit_auditevent WHERE seq = 10")
    for seq in range(11, 21):
        _sql("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [seq - 1, seq])
    _rechain(10, GUESSED_KEY)
    assert _report(capsys) == [
        "entries 10 to 19: HMAC does not match (altered or forged)",
        f"entry 20: missing: the latest checkpoint (sequence 20, written {checkpoint.at})"
        " is beyond the chain's end 19",
    ]


def test_an_entry_deleted_and_not_renumbered(checkpoint, capsys):
    _sql("DELETE FROM audit_auditevent WHERE seq = 10")
    assert _report(capsys) == ["entry 10: missing", "entry 11: does not follow the entry before it"]


def test_the_chain_rewritten_unkeyed_as_if_from_before_the_key(checkpoint, capsys):
    _sql("UPDATE audit_auditevent SET algorithm = 'sha256' WHERE seq >= 10")
    _rechain(10, GUESSED_KEY)  # the algorithm says "sha256": no key is used
    assert _report(capsys) == [
        "entries 10 to 20: unkeyed (sha256) though keyed entries began at entry 1",
        f"entry 20: not the entry the checkpoint written {checkpoint.at} holds:"
        " the chain was rewritten up to here",
    ]


def test_a_checkpoint_forged_to_match_a_shortened_chain(checkpoint, settings, capsys):
    path = settings.AUDIT_CHECKPOINT_FILE
    _sql("DELETE FROM audit_auditevent WHERE seq > 15")
    last = AuditEvent.objects.get(seq=15)
    _sql("UPDATE audit_auditchainhead SET last_seq = 15, last_hash = %s", [last.hash])
    with override_settings(AUDIT_KEY=GUESSED_KEY):
        forged = Checkpoint(sequence=15, hash=last.hash, at=checkpoint.at).line()
    path.write_text(forged + "\n")
    assert _report(capsys) == [
        f"checkpoint line 1 of {path}: signature invalid (not written with this audit key)"
    ]


def test_an_old_unkeyed_log_still_verifies(world, capsys):
    """Entries written before the key came keep their SHA-256, and verify."""
    guards_off()
    _sql("UPDATE audit_auditevent SET algorithm = 'sha256'")
    _rechain(1, "unused")
    audit_record(actor=world.sam, action=Action.VIEW, channel=Channel.WEB)
    count = AuditEvent.objects.count()
    call_command("audit", "verify")
    assert f"The audit log is intact: {count} entries verified" in capsys.readouterr().out
    assert list(AuditEvent.objects.values_list("algorithm", flat=True)) == [
        *["sha256"] * (count - 1),
        "hmac-sha256",
    ]
