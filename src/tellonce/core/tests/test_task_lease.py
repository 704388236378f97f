"""A task left RUNNING by a worker that died is run again once that worker's lease has
run out, and never while the worker lives; one that keeps killing its workers is given
up for a person to look into. `tellonce serve`'s supervisor restarts a dead child after
a pause that doubles while it keeps dying, and starts again from a second once it has
run a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from tellonce.core import supervisor
from tellonce.core.models import TaskWorker
from tellonce.core.task_lease import (
    abandoned_tasks_retry,
    task_retry_later,
    worker_register,
    worker_stopped,
)

pytestmark = pytest.mark.django_db


def _running(*worker_ids: str, started_ago: int = 10) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path="tellonce.testing.tasks.slow_work",
        args_kwargs={"args": ["a linkage run", 0], "kwargs": {}},
        backend_name="default",
        queue_name="linkage",
        run_after=get_date_max(),
        status=TaskResultStatus.RUNNING,
        worker_ids=list(worker_ids),
        started_at=timezone.now() - timedelta(seconds=started_ago),
    )


def _status(task: DBTaskResult) -> str:
    task.refresh_from_db()
    return task.status


def test_a_task_whose_worker_died_is_run_again_once_its_lease_runs_out(settings, caplog):
    settings.TASK_LEASE_SECONDS = 60
    worker_register(worker_id="linkage-1", queues=["linkage"])
    task = _running("linkage-1", started_ago=90)
    assert abandoned_tasks_retry() == 0, "its worker is alive: the run is left alone"
    TaskWorker.objects.filter(worker_id="linkage-1").update(
        heartbeat_on=timezone.now() - timedelta(seconds=61)
    )
    assert abandoned_tasks_retry() == 1
    assert _status(task) == TaskResultStatus.READY
    assert abandoned_tasks_retry() == 0, "put back once, not twice"
    assert "put back to run again (attempt 2 of 5)" in caplog.text
    assert "a linkage run" not in caplog.text, "a task's arguments are never logged"


def test_a_task_from_before_leases_is_run_again_only_after_a_lease(settings):
    settings.TASK_LEASE_SECONDS = 60
    recent, stuck = (
        _running("db-worker-a", started_ago=10),
        _running("db-worker-b", started_ago=3600),
    )
    assert abandoned_tasks_retry() == 1
    assert (_status(recent), _status(stuck)) == (TaskResultStatus.RUNNING, TaskResultStatus.READY)


def test_a_worker_seen_to_die_has_its_task_run_again_at_once():
    worker_register(worker_id="worker-1", queues=["default"])
    task = _running("worker-1", started_ago=1)
    assert worker_stopped("worker-1") == 1
    assert _status(task) == TaskResultStatus.READY


def test_a_task_that_killed_five_workers_is_given_up(settings, caplog):
    settings.TASK_MAX_ATTEMPTS = 5
    task = _running("w1", "w2", "w3", "w4", "w5", started_ago=3600)
    assert abandoned_tasks_retry() == 0
    assert _status(task) == TaskResultStatus.FAILED
    assert "stopped its worker 5 times; given up" in caplog.text


def test_a_task_that_found_the_database_locked_runs_again_shortly_not_failed(settings):
    settings.TASK_MAX_ATTEMPTS = 2
    task = _running("linkage-1")
    assert task_retry_later(task, seconds=5)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY and task.run_after > timezone.now()
    assert not DBTaskResult.objects.ready().filter(pk=task.pk).exists(), "not at once"
    assert not task_retry_later(_running("w1", "w2")), "not for ever"


class _Dead:
    returncode = -9

    def poll(self) -> int:
        return self.returncode


def test_a_child_that_keeps_dying_waits_longer_each_time_up_to_a_minute(monkeypatch, caplog):
    now = [0.0]
    child = supervisor.Child("email worker", lambda worker_id: ["true"])
    boss = supervisor.Supervisor([child], clock=lambda: now[0])

    def start(child: supervisor.Child) -> None:
        child.process = _Dead()  # type: ignore[assignment]
        child.started = now[0]
        child.restart_at = None

    monkeypatch.setattr(boss, "start", start)
    start(child)
    pauses = []
    for _ in range(8):
        boss.check()
        pauses.append(child.restart_at - now[0])
        now[0] = child.restart_at
        boss.check()
    assert pauses == [1, 2, 4, 8, 16, 32, 60, 60]
    assert "email worker exited with code -9 (SIGKILL); restarting in 60 s" in caplog.text
    now[0] += 61  # then it runs a minute before dying again
    boss.check()
    assert child.restart_at - now[0] == 1
