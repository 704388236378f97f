"""Writing to the audit log. Every other app calls `audit_record`; nothing else writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
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
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        seq = head.last_seq + 1
        at = timezone.now()
        event = AuditEvent(
            seq=seq,
            at=at,
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
            prev_hash=head.last_hash,
            algorithm=Algorithm.HMAC_SHA256,
        )
        event.hash = hash_of(event)
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=event.hash)
        if seq % settings.AUDIT_CHECKPOINT_ENTRIES == 0:
            # Once committed; a checkpoint that cannot be written is logged, and the
            # next clock round writes one.
            transaction.on_commit(
                partial(checkpoint_write, sequence=seq, last_hash=event.hash), robust=True
            )
    return event


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
