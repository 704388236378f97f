"""A look with no transaction of its own (a page view) joins the chain in two round
trips on PostgreSQL (decision 0011): the same chain, the same lock, nothing skipped,
doubled or lost, however many people look at once, and nothing left half-done when
the entry cannot be written."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from tellonce.accounts.models import User
from tellonce.audit.chain import verify_chain
from tellonce.audit.checkpoints import checkpoints_read
from tellonce.audit.models import Action, AuditChainHead, AuditEvent, Channel
from tellonce.audit.services import audit_record
from tellonce.testing.races import at_once, postgres_only

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def _look(world, actor=None, **detail) -> AuditEvent:
    return audit_record(
        actor=actor or world.dana,
        action=Action.VIEW,
        channel=Channel.WEB,
        person=world.jack,
        obj=world.jack,
        ip_address="10.0.0.9",
        detail={"page": "record", **detail},
    )


def test_danas_look_at_jacks_record_is_two_round_trips_and_a_link_of_the_chain(
    committed_world,
):
    before = _look(committed_world)
    with CaptureQueriesContext(connection) as queries:
        look = _look(committed_world)
    assert len(queries) == 2
    stored = AuditEvent.objects.get(pk=look.pk)
    assert (stored.seq, stored.prev_hash, stored.hash) == (before.seq + 1, before.hash, look.hash)
    assert stored.detail == {"page": "record"}
    assert str(stored.ip_address) == "10.0.0.9"
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (look.seq, look.hash)
    assert list(verify_chain()) == []


def test_forty_people_looking_at_once_each_leave_one_entry_in_one_unbroken_chain(
    committed_world,
):
    start = AuditEvent.objects.count()

    def ten_looks(n: int) -> list[int]:
        return [_look(committed_world, reader=n, look=i).seq for i in range(10)]

    results = at_once(*(lambda n=n: ten_looks(n) for n in range(4)))
    assert not [r for r in results if isinstance(r, BaseException)], results
    numbers = sorted(seq for looks in results for seq in looks)
    assert numbers == list(range(start + 1, start + 41))
    assert AuditEvent.objects.count() == start + 40
    readers = AuditEvent.objects.filter(detail__has_key="reader").values_list("detail", flat=True)
    assert sorted((d["reader"], d["look"]) for d in readers) == [
        (n, i) for n in range(4) for i in range(10)
    ]
    assert list(verify_chain()) == []


def test_a_checkpoint_is_written_every_so_many_looks(committed_world, settings):
    settings.AUDIT_CHECKPOINT_ENTRIES = 5
    start = AuditEvent.objects.count()
    for _ in range(12):
        _look(committed_world)
    written = [c.sequence for c in checkpoints_read().valid]
    assert written == [n for n in range(start + 1, start + 13) if n % 5 == 0]


def test_a_look_that_cannot_be_written_leaves_the_chain_and_the_connection_as_they_were(
    committed_world,
):
    last = _look(committed_world)
    nobody = User(pk=987654, username="nobody")  # refused at COMMIT: no such user
    with pytest.raises(IntegrityError):
        _look(committed_world, actor=nobody)
    assert connection.connection.info.transaction_status == 0  # idle: nothing left open
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (last.seq, last.hash)
    after = _look(committed_world)
    assert (after.seq, after.prev_hash) == (last.seq + 1, last.hash)
    assert list(verify_chain()) == []
