"""Checkpoints: the head of the audit chain, signed and written outside the database.

Someone who can write to the database could cut the newest entries off the chain, or
empty it, and wind the head back; with the key they could even rewrite it whole. A
checkpoint is the chain's length and last HMAC at a moment, signed with an HMAC of
`AUDIT_KEY`, appended as one JSON line to `AUDIT_CHECKPOINT_FILE` (keep it on another
disk or host, append-only: `chattr +a`, a log shipper) and, when
`AUDIT_CHECKPOINT_SYSLOG` is set, sent to syslog too. `tellonce audit verify` then
checks the chain against every checkpoint whose signature holds: the chain must reach
the latest, and hold the same entry at each.

One is written every `AUDIT_CHECKPOINT_ENTRIES` entries (after the entry's transaction
commits), on each clock round that finds entries since the last, before a backup and
on `tellonce audit checkpoint`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import logging.handlers
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tellonce.audit.models import GENESIS_HASH, AuditChainHead

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    hash: str
    at: str

    def signature(self) -> str:
        message = json.dumps(
            ["tellonce-audit-checkpoint", self.sequence, self.hash, self.at],
            separators=(",", ":"),
        ).encode("ascii")
        return hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()

    def line(self) -> str:
        fields = {"sequence": self.sequence, "hash": self.hash, "at": self.at}
        return json.dumps({**fields, "signature": self.signature()}, sort_keys=True)


@dataclass
class CheckpointFile:
    """The checkpoints read from one file: those whose signatures hold, and what is
    wrong with each line that does not."""

    path: Path
    valid: list[Checkpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def checkpoint_write(
    now: datetime | None = None, *, sequence: int | None = None, last_hash: str = ""
) -> Checkpoint:
    """Sign the chain's head as it stands (committed), or entry `sequence` (committed,
    its HMAC `last_hash`), and write it outside the database."""
    if sequence is None:
        head = AuditChainHead.objects.filter(pk=1).first()
        sequence, last_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    at = (now or timezone.now()).isoformat(timespec="seconds")
    checkpoint = Checkpoint(sequence=sequence, hash=last_hash, at=at)
    line = checkpoint.line()
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if settings.AUDIT_CHECKPOINT_SYSLOG:
        _to_syslog(line)
    return checkpoint


def _to_syslog(line: str) -> None:
    target = settings.AUDIT_CHECKPOINT_SYSLOG
    address: str | tuple[str, int]
    if target.startswith("/"):
        address = target
    else:
        host, _, port = target.rpartition(":")
        if not host or not port.isdigit():
            raise ImproperlyConfigured(
                f'AUDIT_CHECKPOINT_SYSLOG must be "host:port" or a socket path, not {target!r}'
            )
        address = (host, int(port))
    handler = logging.handlers.SysLogHandler(
        address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH
    )
    try:
        handler.emit(
            logging.LogRecord(
                "tellonce.audit",
                logging.INFO,
                __file__,
                0,
                f"tellonce-audit-checkpoint {line}",
                None,
                None,
            )
        )
    finally:
        handler.close()


def checkpoints_read(path: Path | None = None) -> CheckpointFile:
    """Every line of the checkpoint file, each checked against its signature."""
    found = CheckpointFile(Path(path or settings.AUDIT_CHECKPOINT_FILE))
    if not found.path.exists():
        return found
    with found.path.open(encoding="ascii", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            checkpoint = _parsed(text)
            where = f"checkpoint line {number} of {found.path}"
            if checkpoint is None:
                found.problems.append(f"{where}: not a checkpoint")
            elif not hmac.compare_digest(checkpoint[0].signature(), checkpoint[1]):
                found.problems.append(
                    f"{where}: signature invalid (not written with this audit key)"
                )
            else:
                found.valid.append(checkpoint[0])
    return found


def checkpoint_latest(checkpoints: Sequence[Checkpoint]) -> Checkpoint | None:
    """The one furthest along the chain (of those as far, the last written)."""
    return max(reversed(checkpoints), key=lambda checkpoint: checkpoint.sequence, default=None)


def _parsed(text: str) -> tuple[Checkpoint, str] | None:
    try:
        data = json.loads(text)
        checkpoint = Checkpoint(
            sequence=int(data["sequence"]), hash=str(data["hash"]), at=str(data["at"])
        )
        return checkpoint, str(data["signature"])
    except (ValueError, KeyError, TypeError):
        return None


def _last_written(path: Path) -> int | None:
    """The sequence of the file's last line (read from its end: the file only grows)."""
    if not path.exists():
        return None
    with path.open("rb") as file:
        file.seek(max(0, path.stat().st_size - 4096))
        lines = file.read().decode("ascii", errors="replace").strip().splitlines()
    parsed = _parsed(lines[-1]) if lines else None
    return parsed[0].sequence if parsed else None


def audit_clock_tick(now: datetime | None = None) -> dict[str, int]:
    """A clock round: a checkpoint if entries were written since the last one."""
    head = AuditChainHead.objects.filter(pk=1).first()
    sequence = head.last_seq if head else 0
    if sequence == 0 or _last_written(Path(settings.AUDIT_CHECKPOINT_FILE)) == sequence:
        return {"checkpoints": 0}
    checkpoint_write(now)
    return {"checkpoints": 1}
