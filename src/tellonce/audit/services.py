"""Writing to the audit log. Every other app calls `audit_record`; nothing else writes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql import InsertQuery
from django.http import HttpRequest
from django.utils import timezone

from tellonce.audit.chain import hash_of
from tellonce.audit.checkpoints import checkpoint_write
from tellonce.audit.models import Action, Algorithm, AuditChainHead, AuditEvent, Channel

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.people.models import Person


def audit_record(
    *,
    actor: User | None,
    action: Action | str,
    channel: Channel | str,
    person: Person | None = None,
    obj: models.Model | None = None,
    ip_address: str | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one entry to the chain. Joins the caller's transaction when there is one,
    so a change and its audit entry are committed together or not at all."""
    detail = detail or {}
    label = actor_label or (actor.get_username() if actor else "anonymous")
    event = AuditEvent(
        actor=actor,
        actor_label=label,
        action=str(action),
        channel=str(channel),
        person=person,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=ip_address,
        reason=reason,
        detail=detail,
        algorithm=Algorithm.HMAC_SHA256,
    )
    connection = transaction.get_connection()
    if (
        connection.vendor == "postgresql"
        and connection.get_autocommit()
        and not connection.in_atomic_block
        and _appended_alone(event, connection)
    ):
        _checkpoint_when_due(event)
        return event
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        _chained(event, seq=head.last_seq + 1, prev_hash=head.last_hash)
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(last_seq=event.seq, last_hash=event.hash)
        _checkpoint_when_due(event)
    return event


def _chained(event: AuditEvent, *, seq: int, prev_hash: str) -> None:
    """The entry as the next link of the chain: its number, time, predecessor, HMAC.
    Called with the head locked, so `at` follows the order of the chain."""
    event.seq = seq
    event.at = timezone.now()
    event.prev_hash = prev_hash
    event.hash = hash_of(event)


def _checkpoint_when_due(event: AuditEvent) -> None:
    if event.seq % settings.AUDIT_CHECKPOINT_ENTRIES == 0:
        # Once committed (at once when it already is); a checkpoint that cannot be
        # written is logged, and the next clock round writes one.
        transaction.on_commit(
            partial(checkpoint_write, sequence=event.seq, last_hash=event.hash), robust=True
        )


def _appended_alone(event: AuditEvent, connection: BaseDatabaseWrapper) -> bool:
    """An entry with no transaction of its own to join (a page view's), appended on
    PostgreSQL in two round trips rather than five, so the head, one row every writer
    locks, is held for one of them (decision 0011): BEGIN with the head locked and
    read, then the entry, the head moved on and COMMIT in one statement list. The same
    lock, the same guards, the same chain as `audit_record`'s transaction. False, with
    nothing written, when the chain has no head yet (the first entry makes it)."""
    head_table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    insert = InsertQuery(AuditEvent)
    fields = [f for f in AuditEvent._meta.concrete_fields if f is not AuditEvent._meta.pk]
    with connection.cursor() as cursor:
        try:
            lock = f"SELECT last_seq, last_hash FROM {head_table} WHERE id = 1 FOR UPDATE"  # noqa: S608
            cursor.execute(f"BEGIN; {lock}")
            cursor.nextset()
            head = cursor.fetchone()
            if head is None:
                cursor.execute("ROLLBACK")
                return False
            _chained(event, seq=head[0] + 1, prev_hash=head[1])
            insert.insert_values(fields, [event])
            compiler = insert.get_compiler(connection=connection)
            compiler.returning_fields = [AuditEvent._meta.pk]
            [(insert_sql, insert_params)] = compiler.as_sql()
            # The SQL is the models' (Django's own INSERT); every value is a parameter.
            cursor.execute(
                f"WITH entry AS ({insert_sql}) UPDATE {head_table} SET last_seq = %s,"  # noqa: S608
                f" last_hash = %s FROM entry WHERE {head_table}.id = 1 RETURNING entry.id;"
                " COMMIT",
                [*insert_params, event.seq, event.hash],
            )
            (event.pk,) = cursor.fetchone()
        except BaseException:
            # Never leave the connection inside a transaction Django does not know of.
            with contextlib.suppress(Exception):
                cursor.execute("ROLLBACK")
            raise
    event._state.adding = False
    event._state.db = connection.alias
    return True


@dataclass(frozen=True)
class Via:
    """How and from where an action reached us: recorded with every audit entry."""

    channel: Channel
    ip_address: str | None = None


COMMAND_LINE = Via(Channel.COMMAND)


def via_request(request: HttpRequest) -> Via:
    return Via(request_channel(request), client_ip(request))


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind a proxy, trust X-Forwarded-For only when told to."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def request_channel(request: HttpRequest) -> Channel:
    return Channel.API if request.path.startswith("/api/") else Channel.WEB


def audit_via(
    via: Via,
    *,
    user: User | None,
    action: Action | str,
    person: Person | None = None,
    obj: models.Model | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Audit something `user` did, reached through `via` (web, API, command, task)."""
    return audit_record(
        actor=user,
        action=action,
        channel=via.channel,
        person=person,
        obj=obj,
        ip_address=via.ip_address,
        reason=reason,
        detail=detail,
    )


def people_on(rows: Iterable[Any], person: Callable[[Any], Any] | None = None) -> int:
    """How many different people a list shows (each row's `person_id`, or `person(row)`)."""
    ids = {person(row) if person else getattr(row, "person_id", None) for row in rows}
    ids.discard(None)
    return len(ids)


def audit_list(via: Via, *, user: User | None, listed: str, people: int) -> AuditEvent:
    """Audit a look at a list that shows people's names: who, which list and how many
    people were on it, never the names."""
    return audit_via(
        via, user=user, action=Action.VIEW_LIST, detail={"list": listed, "people": people}
    )
