"""The hash chain: how an entry's hash is computed, and how the chain is verified."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tellonce.audit.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    channel: str,
    person_id: str | None,
    object_type: str,
    object_id: str,
    ip_address: str | None,
    reason: str,
    detail: Any,
) -> str:
    canonical = json.dumps(
        [
            prev_hash,
            seq,
            at,
            actor_id,
            actor_label,
            action,
            channel,
            person_id,
            object_type,
            object_id,
            ip_address,
            reason,
            detail,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def hash_of(event: AuditEvent) -> str:
    return entry_hash(
        prev_hash=event.prev_hash,
        seq=event.seq,
        at=event.at.isoformat(timespec="microseconds"),
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        channel=event.channel,
        person_id=str(event.person_id) if event.person_id else None,
        object_type=event.object_type,
        object_id=event.object_id,
        ip_address=event.ip_address,
        reason=event.reason,
        detail=event.detail,
    )


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainProblem]:
    """Walk the whole log in order and report every break in the chain."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    last_seq = 0
    queryset = AuditEvent.objects.order_by("seq")
    for event in queryset.iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            yield ChainProblem(
                event.seq,
                f"entries {expected_seq} to {event.seq - 1} are missing",
            )
        if event.prev_hash != expected_prev:
            yield ChainProblem(event.seq, "does not follow the entry before it")
        if hash_of(event) != event.hash:
            yield ChainProblem(event.seq, "has been altered since it was written")
        expected_prev = event.hash
        expected_seq = event.seq + 1
        last_seq = event.seq
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        yield ChainProblem(last_seq, "the chain head is missing: the log may have been emptied")
    elif head.last_seq != last_seq:
        yield ChainProblem(
            head.last_seq,
            f"the log should end at entry {head.last_seq} but ends at {last_seq}",
        )
    elif head.last_seq and head.last_hash != expected_prev:
        yield ChainProblem(head.last_seq, "the last entry is not the one the chain head holds")
