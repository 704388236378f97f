"""Holding a person's row while their involvements are checked and written never stops
anyone reading the child's page: the look is audited with a reference to the person,
which must not wait for the hold (else a page view holding the audit chain and an
involvement holding the person, each waiting for the other, deadlock, as the child's
page benchmark found on PostgreSQL)."""

from __future__ import annotations

import threading

from django.db import connection, connections, transaction

from tellonce.audit.models import Action, AuditEvent, Channel
from tellonce.audit.services import Via, audit_via
from tellonce.involvements.services import person_hold
from tellonce.testing.races import postgres_only

WEB = Via(channel=Channel.WEB)


@postgres_only
def test_a_look_at_a_held_child_is_audited_without_waiting(committed_world):
    world = committed_world
    held, done = threading.Event(), threading.Event()
    problems: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                person_hold(world.jack.pk)
                held.set()
                done.wait(timeout=10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            try:
                audit_via(WEB, user=world.dana, action=Action.VIEW, person=world.jack)
            except Exception as exc:  # the test reads what it met
                problems.append(exc)
    finally:
        done.set()
        holder.join(timeout=10)
    assert problems == []
    assert AuditEvent.objects.filter(person=world.jack, action=Action.VIEW).exists()
