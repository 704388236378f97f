"""The chain: how an entry's HMAC is computed, and how the chain is verified.

An entry's `hash` is the HMAC-SHA256, keyed with `AUDIT_KEY`, of a canonical JSON of
its fields and the previous entry's `hash`. Entries from before the key (algorithm
"sha256") carry a plain SHA-256 of the same JSON; once the first keyed entry is written
an unkeyed one after it is itself a sign of tampering (someone without the key
rewriting the chain). `verify_chain` walks the log in order and reports each break, with
runs of the same problem on consecutive entries reported once, as a range; given the
checkpoints written outside the database (`checkpoints`), it also reports a chain that
ends before the latest of them or differs from one of them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from tellonce.audit.checkpoints import Checkpoint, checkpoint_latest
from tellonce.audit.models import GENESIS_HASH, Algorithm, AuditChainHead, AuditEvent


def entry_hash(
    *,
    algorithm: str,
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
    ).encode("ascii")
    if algorithm == Algorithm.SHA256:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(settings.AUDIT_KEY.encode(), canonical, hashlib.sha256).hexdigest()


def hash_of(event: AuditEvent) -> str:
    return entry_hash(
        algorithm=event.algorithm,
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
    """What is wrong, and where: entry `seq` (to entry `last`, for a run of entries),
    or the log as a whole when `seq` is None."""

    seq: int | None
    problem: str
    last: int | None = None

    def __str__(self) -> str:
        if self.seq is None:
            return self.problem
        if self.last is None or self.last == self.seq:
            return f"entry {self.seq}: {self.problem}"
        return f"entries {self.seq} to {self.last}: {self.problem}"


def _runs(problems: Iterable[ChainProblem]) -> Iterator[ChainProblem]:
    """The same problem on consecutive entries, once, as a range."""
    run: ChainProblem | None = None
    for problem in problems:
        if (
            run is not None
            and run.seq is not None
            and problem.seq is not None
            and problem.problem == run.problem
            and problem.seq == (run.last or run.seq) + 1
        ):
            run = ChainProblem(run.seq, run.problem, problem.last or problem.seq)
            continue
        if run is not None:
            yield run
        run = problem
    if run is not None:
        yield run


def verify_chain(
    checkpoints: Sequence[Checkpoint] = (), batch_size: int = 5000
) -> Iterator[ChainProblem]:
    """Walk the whole log in order and report every break in the chain, and every way
    it disagrees with `checkpoints` (those whose signatures hold)."""
    return _runs(_problems(checkpoints, batch_size))


def _problems(checkpoints: Sequence[Checkpoint], batch_size: int) -> Iterator[ChainProblem]:
    by_seq = {checkpoint.sequence: checkpoint for checkpoint in checkpoints}
    expected_prev = GENESIS_HASH
    expected_seq = 1
    last_seq = 0
    keyed_from: int | None = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            yield ChainProblem(expected_seq, "missing", event.seq - 1)
        if event.prev_hash != expected_prev:
            yield ChainProblem(event.seq, "does not follow the entry before it")
        if event.algorithm == Algorithm.SHA256 and keyed_from is not None:
            yield ChainProblem(
                event.seq, f"unkeyed (sha256) though keyed entries began at entry {keyed_from}"
            )
        elif event.algorithm not in Algorithm.values:
            yield ChainProblem(event.seq, f"unknown algorithm {event.algorithm!r}")
        elif hash_of(event) != event.hash:
            kind = "HMAC" if event.algorithm == Algorithm.HMAC_SHA256 else "SHA-256"
            yield ChainProblem(event.seq, f"{kind} does not match (altered or forged)")
        if event.algorithm == Algorithm.HMAC_SHA256 and keyed_from is None:
            keyed_from = event.seq
        checkpoint = by_seq.get(event.seq)
        if checkpoint is not None and checkpoint.hash != event.hash:
            yield ChainProblem(
                event.seq,
                f"not the entry the checkpoint written {checkpoint.at} holds:"
                " the chain was rewritten up to here",
            )
        expected_prev = event.hash
        expected_seq = event.seq + 1
        last_seq = event.seq
    latest = checkpoint_latest(checkpoints)
    if latest is not None and latest.sequence > last_seq:
        if last_seq == 0:
            yield ChainProblem(
                None,
                f"the log is empty, but the checkpoint written {latest.at} holds entries"
                f" up to {latest.sequence}",
            )
        else:
            yield ChainProblem(
                last_seq + 1,
                f"missing: the latest checkpoint (sequence {latest.sequence}, written"
                f" {latest.at}) is beyond the chain's end {last_seq}",
                latest.sequence,
            )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        yield ChainProblem(None, "the chain head is missing: the log may have been emptied")
    elif head.last_seq != last_seq:
        yield ChainProblem(
            head.last_seq,
            f"the log should end at entry {head.last_seq} but ends at {last_seq}",
        )
    elif head.last_seq and head.last_hash != expected_prev:
        yield ChainProblem(head.last_seq, "the last entry is not the one the chain head holds")
