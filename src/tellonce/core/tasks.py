"""The worker's clock: one round every `CLOCK_MINUTES` that runs each app's tick
(`CLOCK_TICKS` in settings: the MASH's chasing and escalation, and whatever else keeps
a deadline). A tick takes the time and returns what it did as counts; it finds rows
past a deadline whose follow-up has not been done and claims each atomically, so a
worker that was down catches up on its first round and nothing happens twice.

Each round books the next; `tellonce serve` books one on start if none is waiting.
See decision 0006."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from tellonce.core.hooks import hooks_run


@task()
def clock() -> dict[str, dict[str, int]]:
    now = timezone.now()
    done = {path: _counts(result) for path, result in hooks_run("CLOCK_TICKS", now).items()}
    clock_book()
    return done


def _counts(result: Any) -> dict[str, int]:
    """A tick's result (a dataclass of counts, or a dict) as a plain dict."""
    if isinstance(result, dict):
        return dict(result)
    return dict(vars(result))


def clock_book() -> None:
    """Book the next round (tests, whose tasks run at once, book nothing)."""
    if not clock.get_backend().supports_defer:
        return
    when = timezone.now() + timedelta(minutes=settings.CLOCK_MINUTES)
    clock.using(run_after=when).enqueue()


def clock_ensure() -> bool:
    """A round now unless one is already waiting; whether one was booked. `tellonce
    serve` calls it on start (`ON_SERVE`), so deadlines passed while the worker was down
    are followed up at once."""
    if not clock.get_backend().supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=clock.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    clock.enqueue()
    return True


#: How long finished task results are kept: successful ones for a fortnight, failed
#: ones (evidence for whoever looks into the failure) for a quarter.
KEEP_SUCCESSFUL = timedelta(days=14)
KEEP_FAILED = timedelta(days=90)


def finished_tasks_prune(now: Any = None) -> dict[str, int]:
    """A tick: forget old finished task results (the clock alone leaves one every few
    minutes); the queue's waiting and running tasks are never touched."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    old_successes = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - KEEP_SUCCESSFUL
    )
    old_failures = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=now - KEEP_FAILED
    )
    return {
        "successful_pruned": old_successes.delete()[0],
        "failed_pruned": old_failures.delete()[0],
    }
