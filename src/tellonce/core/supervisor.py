"""The supervisor `tellonce serve` runs: the web server and each task worker as child
processes, each kept running on its own.

When a child dies, the others go on (the web server keeps serving while a worker is
down, and the other way round) and the dead one is started again after a pause that
doubles with each quick death, from `BACKOFF_FIRST` up to `BACKOFF_MOST`, and starts
again from the beginning once a child has run for `BACKOFF_RESET` without dying. The
log says which child stopped, how, and when it will be back. A worker that died is
told to the task leases at once (`task_lease.worker_stopped`), so the task it was
running is run again without waiting for its lease to run out.

Only an interrupt (Ctrl-C) or SIGTERM stops them all.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

logger = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0
BACKOFF_MOST = 60.0
BACKOFF_RESET = 60.0


@dataclass
class Child:
    """One process to keep running: its name, and its command line for the id it is
    given each time it starts (a worker's id in the task leases)."""

    name: str
    command: Callable[[str], list[str]]
    worker_id: str = ""
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    pause: float = BACKOFF_FIRST
    restart_at: float | None = None
    deaths: int = 0


def _child_setup() -> None:
    """In the child, before it starts: a process group of its own, so that Ctrl-C
    reaches the supervisor alone and each child is stopped once, gently (a worker
    stopped twice abandons its task); and, on Linux, a SIGTERM if the supervisor itself
    dies, so no child is left behind holding the port."""
    os.setpgid(0, 0)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


PR_SET_PDEATHSIG = 1


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        *,
        on_death: Callable[[Child], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = children
        self.on_death = on_death
        self.clock = clock
        self.stopping = False

    def start(self, child: Child) -> None:
        child.worker_id = uuid.uuid4().hex
        child.process = subprocess.Popen(child.command(child.worker_id))
        child.started = self.clock()
        child.restart_at = None

    def check(self) -> None:
        """One look at every child: note the dead, start those whose pause is over."""
        now = self.clock()
        for child in self.children:
            process = child.process
            if process is not None and process.poll() is not None:
                self._died(child, process.returncode, now)
            if child.process is None and child.restart_at is not None and now >= child.restart_at:
                logger.warning("restarting %s", child.name)
                self.start(child)

    def _died(self, child: Child, code: int, now: float) -> None:
        child.process = None
        child.deaths += 1
        if now - child.started >= BACKOFF_RESET:
            child.pause = BACKOFF_FIRST
        pause = child.pause
        child.pause = min(child.pause * 2, BACKOFF_MOST)
        child.restart_at = now + pause
        how = f"code {code}" if code >= 0 else f"code {code} ({signal.Signals(-code).name})"
        logger.error("%s exited with %s; restarting in %s s", child.name, how, f"{pause:g}")
        if self.on_death is not None:
            try:
                self.on_death(child)
            except Exception as exc:
                logger.warning("%s: could not free its tasks (%s)", child.name, type(exc).__name__)

    def run(self) -> None:
        """Start every child and keep them running until interrupted; then stop them."""
        previous = signal.signal(signal.SIGTERM, self._terminate)
        try:
            for child in self.children:
                self.start(child)
            while not self.stopping:
                self.check()
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.stop()

    def _terminate(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def stop(self) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
