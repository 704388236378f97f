"""`tellonce serve`: the web server (gunicorn) and the task worker, together.

Both run until interrupted; if either stops, the other is stopped too, so a half-running
service is never left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tellonce.core.hooks import hooks_run
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

        def worker(queue: str) -> list[str]:
            return [sys.executable, "-m", "tellonce.cli", "db_worker", "--queue-name", queue]

        # Two workers: alerts, notifications and the clock on one, never waiting behind
        # a linkage run on the other.
        commands = {"web server": web}
        if not no_worker:
            commands |= {"worker": worker("default"), "linkage worker": worker("linkage")}
        processes = {name: subprocess.Popen(command) for name, command in commands.items()}
        host = bind.split(":")[0]
        port = bind.rsplit(":", 1)[-1]
        self.stdout.write(
            f"TellOnce ({settings.TELLONCE_ENV}) is at http://{host}:{port}/"
            f"{'' if no_worker else ' with its task worker'}. Press Ctrl-C to stop."
        )
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for p in processes.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in processes.values():
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        failed = [
            name for name, p in processes.items() if p.returncode not in (0, -signal.SIGTERM, None)
        ]
        if failed:
            raise SystemExit(f"stopped: {', '.join(map(str, failed))} exited with an error")
