"""The MASH's clock: a round every few minutes (`MASH_CLOCK_MINUTES`) that escalates
overdue decisions and chases and escalates requests for information
(`services.mash_clock_tick`). Each round books the next; `tellonce serve` books one
on start if none is waiting, so a restarted worker catches up at once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from tellonce.mash.services import mash_clock_tick


@task()
def mash_clock() -> dict[str, int]:
    tick = mash_clock_tick()
    mash_clock_book()
    return {
        "decisions_escalated": tick.decisions_escalated,
        "conferences_overdue": tick.conferences_overdue,
        "requests_chased": tick.requests_chased,
        "requests_escalated": tick.requests_escalated,
    }


def mash_clock_book() -> None:
    """Book the next round (tests, whose tasks run at once, book nothing)."""
    if not mash_clock.get_backend().supports_defer:
        return
    when = timezone.now() + timedelta(minutes=settings.MASH_CLOCK_MINUTES)
    mash_clock.using(run_after=when).enqueue()


def mash_clock_ensure() -> bool:
    """A round now unless one is already waiting; whether one was booked."""
    if not mash_clock.get_backend().supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=mash_clock.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    mash_clock.enqueue()
    return True
