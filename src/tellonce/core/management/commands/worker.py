"""`tellonce worker --queue Q`: one task worker, holding a lease on what it runs.

django-tasks-db's worker, with two things added (see `core.task_lease`): a heartbeat
that renews its lease and retries tasks whose worker's lease ran out, and patience with
SQLite: a database locked for longer than its busy timeout (a long linkage run writing)
makes it wait and go on, never stop.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from tellonce.core.task_lease import (
    abandoned_tasks_retry,
    task_retry_later,
    worker_heartbeat,
    worker_register,
    worker_stopped,
    worker_tasks_release,
)

logger = logging.getLogger("tellonce.core.worker")


class LeasedWorker(Worker):
    def run(self) -> None:
        worker_register(worker_id=self.worker_id, queues=self.queue_names)
        abandoned_tasks_retry()
        beating = threading.Event()
        heart = threading.Thread(target=self._beat, args=(beating,), daemon=True)
        heart.start()
        try:
            while True:
                try:
                    super().run()
                    return
                except OperationalError as exc:
                    if not is_locked_database_exception(exc):
                        raise
                    logger.warning(
                        "worker %s: the database stayed locked; going on", self.worker_id
                    )
                    self.running_task = False
                    connection.close()
                    time.sleep(1)
                    self._release()
        finally:
            beating.set()
            with contextlib.suppress(OperationalError):  # its lease runs out on its own
                worker_stopped(self.worker_id)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run it; a task that failed only because the database stayed locked (a long
        linkage transaction on SQLite) is run again shortly, not marked failed."""
        set_failed = db_task_result.set_failed

        def failed(exc: BaseException) -> None:
            locked = isinstance(exc, OperationalError) and is_locked_database_exception(exc)
            if not (locked and task_retry_later(db_task_result)):
                set_failed(exc)

        db_task_result.set_failed = failed  # type: ignore[method-assign]
        super().run_task(db_task_result)

    def _release(self) -> None:
        for _ in range(30):
            try:
                worker_tasks_release(self.worker_id)
                return
            except OperationalError:
                connection.close()
                time.sleep(1)

    def _beat(self, stop: threading.Event) -> None:
        while not stop.wait(settings.TASK_HEARTBEAT_SECONDS):
            try:
                close_old_connections()
                worker_heartbeat(self.worker_id)
                abandoned_tasks_retry()
            except Exception as exc:
                # The next beat tries again; the lease outlasts a few missed ones.
                logger.warning(
                    "worker %s: heartbeat missed (%s)", self.worker_id, type(exc).__name__
                )
                connection.close()
        connection.close()


class Command(BaseCommand):
    help = "Run one task worker for the given queues, with a lease on what it runs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queue", default="default", help="Queues, separated by commas")
        parser.add_argument("--worker-id", default="", help="Unique across workers")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(
        self, *args: Any, queue: str, worker_id: str, interval: float, **options: Any
    ) -> None:
        worker = LeasedWorker(
            queue_names=queue.split(","),
            interval=interval,
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
