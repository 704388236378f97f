"""The worker's clock forgets old finished task results, never waiting ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus

from tellonce.core.tasks import clock, finished_tasks_prune

pytestmark = pytest.mark.django_db


def test_old_finished_task_results_are_pruned_and_waiting_ones_kept(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    now = timezone.now()
    for _ in range(4):
        clock.enqueue()
    rows = list(DBTaskResult.objects.order_by("enqueued_at"))
    finished = {
        rows[0].pk: (TaskResultStatus.SUCCESSFUL, now - timedelta(days=15)),
        rows[1].pk: (TaskResultStatus.SUCCESSFUL, now - timedelta(days=13)),
        rows[2].pk: (TaskResultStatus.FAILED, now - timedelta(days=15)),
    }
    for pk, (status, when) in finished.items():
        DBTaskResult.objects.filter(pk=pk).update(status=status, finished_at=when)
    assert finished_tasks_prune(now) == {"successful_pruned": 1, "failed_pruned": 0}
    kept = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert kept == {rows[1].pk, rows[2].pk, rows[3].pk}
