"""`tellonce serve`: the web server (gunicorn) and the task workers, together.

Each runs as a child process of a supervisor (`core.supervisor`): one that dies is
started again with a pause that grows while it keeps dying, and the others go on, so
the web server keeps serving while a worker is restarted. A worker for each entry of
`TASK_WORKERS` (the alerts and the clock; alerts' emails; webhooks; linkage runs), so
that no queue waits behind another's slow work.
"""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from tellonce.core.hooks import hooks_run
from tellonce.core.supervisor import Child, Supervisor
from tellonce.core.task_lease import worker_stopped
from tellonce.env import env_int, env_str


class Command(BaseCommand):
    help = "Serve TellOnce: the web server and the background task worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default=env_str("BIND") or "127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=env_int("WEB_WORKERS", 2, minimum=1))
        parser.add_argument("--no-worker", action="store_true", help="Web server only")

    def handle(self, *args: Any, bind: str, workers: int, no_worker: bool, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_worker:
            # What must be booked before the workers start (`ON_SERVE`): alerts a crashed
            # worker left half-sent, deadlines passed while it was down, the nightly run.
            for said in hooks_run("ON_SERVE").values():
                if isinstance(said, str):
                    self.stdout.write(said)
        bin_dir = os.path.dirname(sys.executable)
        web = [
            os.path.join(bin_dir, "gunicorn"),
            "tellonce.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--logger-class",
            "tellonce.core.gunicorn.SafeLogger",
            "--access-logformat",
            # The path without its query string: names never travel in URLs, but be sure.
            '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        ]

        children = [Child("web server", lambda _: web)]
        if not no_worker:
            children += [
                Child(name, _worker_command(queues))
                for name, queues in settings.TASK_WORKERS.items()
            ]
        host = bind.split(":")[0]
        port = bind.rsplit(":", 1)[-1]
        self.stdout.write(
            f"TellOnce ({settings.TELLONCE_ENV}) is at http://{host}:{port}/"
            f"{'' if no_worker else ' with its task workers'}. Press Ctrl-C to stop."
        )
        Supervisor(children, on_death=_worker_died).run()


def _worker_command(queues: list[str]) -> Callable[[str], list[str]]:
    def command(worker_id: str) -> list[str]:
        queue = ",".join(queues)
        return [
            sys.executable,
            "-m",
            "tellonce.cli",
            "worker",
            "--queue",
            queue,
            "--worker-id",
            worker_id,
        ]

    return command


def _worker_died(child: Child) -> None:
    """A dead worker's tasks are run again at once, not when its lease runs out."""
    try:
        worker_stopped(child.worker_id)
    finally:
        connection.close()  # the supervisor may sit idle for days: no stale connection
