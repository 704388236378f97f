"""Work that is never lost: each task worker holds a lease on the tasks it runs.

A worker (`tellonce worker`) registers itself as a `TaskWorker` and renews its
heartbeat every `TASK_HEARTBEAT_SECONDS`. A task the queue shows RUNNING belongs to
the worker that claimed it last; once that worker's heartbeat is older than
`TASK_LEASE_SECONDS` (it was killed, or its machine went away), the task is put back
to READY and another worker runs it again. `tellonce serve` does the same at once for
a worker it saw die. Every worker checks at start-up and with each heartbeat, so no
task stays RUNNING for good, on any queue: the linkage queue's runs as much as the
alerts'.

A task is retried, never resumed: each task is written so that running it again does
only what is still undone (deliveries and deadlines are claimed row by row, records
already linked are left alone). One that has killed its worker `TASK_MAX_ATTEMPTS`
times is marked FAILED instead, for a person to look into, so one poisonous task cannot
take a worker down for ever. The log says which task was retried or given up, by its
id and name: never its arguments.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tellonce.core.models import TaskWorker

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


def worker_register(*, worker_id: str, queues: Iterable[str]) -> TaskWorker:
    """A worker starting: its lease begins now."""
    now = timezone.now()
    worker, _ = TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "queues": ",".join(queues)[:200],
            "pid": os.getpid(),
            "host": socket.gethostname()[:200],
            "started_on": now,
            "heartbeat_on": now,
        },
    )
    return worker


def worker_heartbeat(worker_id: str) -> None:
    """Renew a worker's lease (a row removed meanwhile is written again)."""
    renewed = TaskWorker.objects.filter(worker_id=worker_id).update(heartbeat_on=timezone.now())
    if not renewed:
        worker_register(worker_id=worker_id, queues=["?"])


def worker_stopped(worker_id: str) -> int:
    """A worker that is known to have stopped (it exited, or `serve` saw it die): its
    lease ends now, and any task it left running is retried at once. How many were."""
    TaskWorker.objects.filter(worker_id=worker_id).update(
        heartbeat_on=timezone.now() - lease() - timedelta(seconds=1)
    )
    return abandoned_tasks_retry()


def abandoned_tasks_retry(now: datetime | None = None) -> int:
    """Put back to READY every RUNNING task whose worker's lease has run out (or whose
    worker never registered one and started it longer than a lease ago); how many were
    put back. Claimed row by row, so two workers checking at once retry each task once."""
    now = now or timezone.now()
    expired = now - lease()
    alive = set(
        TaskWorker.objects.filter(heartbeat_on__gte=expired).values_list("worker_id", flat=True)
    )
    known = set(TaskWorker.objects.values_list("worker_id", flat=True))
    retried = 0
    for task in _running():
        holder = task.worker_ids[-1] if task.worker_ids else ""
        if holder in alive:
            continue
        if holder not in known and task.started_at and task.started_at >= expired:
            continue  # a worker of another kind, perhaps still at work: give it a lease
        retried += _retry(task, now, why="whose lease ran out")
    # Forget workers long gone (their tasks are dealt with above).
    TaskWorker.objects.filter(heartbeat_on__lt=now - timedelta(days=1)).delete()
    return retried


def worker_tasks_release(worker_id: str) -> int:
    """Put back to READY the tasks a live worker holds but could not finish recording
    (the database stayed locked): it, or another worker, runs them again."""
    now = timezone.now()
    return sum(
        _retry(task, now, why="which could not record its end")
        for task in _running()
        if task.worker_ids and task.worker_ids[-1] == worker_id
    )


def task_retry_later(task: DBTaskResult, seconds: int = 5) -> bool:
    """Put a task back to run again in a few seconds (its worker could not do it now:
    the database stayed locked); False once it has had its `TASK_MAX_ATTEMPTS`."""
    if len(task.worker_ids) >= settings.TASK_MAX_ATTEMPTS:
        return False
    later = timezone.now() + timedelta(seconds=seconds)
    again = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None, run_after=later
    )
    if again:
        logger.warning(
            "task %s (%s, queue %s) found the database locked; to run again in %s s",
            task.pk,
            task.task_path,
            task.queue_name,
            seconds,
        )
    return bool(again)


def _running() -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "task_path", "queue_name", "worker_ids", "started_at"
    )


def _retry(task: DBTaskResult, now: datetime, *, why: str) -> int:
    """Put one RUNNING task back to READY (or give it up after too many attempts),
    unless someone else already has; 1 if it was put back."""
    holder = task.worker_ids[-1] if task.worker_ids else "unknown"
    same = DBTaskResult.objects.filter(
        pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
    )
    attempts = len(task.worker_ids)
    if attempts >= settings.TASK_MAX_ATTEMPTS:
        if same.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="tellonce.core.task_lease.WorkerStopped",
            traceback=f"Its worker stopped while running it, {attempts} times.",
        ):
            logger.error(
                "task %s (%s, queue %s) stopped its worker %s times; given up",
                task.pk,
                task.task_path,
                task.queue_name,
                attempts,
            )
        return 0
    if not same.update(status=TaskResultStatus.READY, started_at=None):
        return 0
    logger.warning(
        "task %s (%s, queue %s) was left running by worker %s, %s; put back to run"
        " again (attempt %s of %s)",
        task.pk,
        task.task_path,
        task.queue_name,
        holder,
        why,
        attempts + 1,
        settings.TASK_MAX_ATTEMPTS,
    )
    return 1
