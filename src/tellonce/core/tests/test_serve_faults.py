"""`tellonce serve` survives its own processes being killed: a worker killed mid-task
is started again and the task it held is run again, exactly once; the web server
killed is started again while the workers go on; a worker killed outside `serve` has
its task taken over once its lease runs out. Real processes, a real database file,
`kill -9`: nothing here is simulated."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3]


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {
        "PYTHONPATH": str(SRC),
        "TELLONCE_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "tellonce.settings",
        "TELLONCE_VAR_DIR": str(var),
        "TASK_HEARTBEAT_SECONDS": "1",
        "TASK_LEASE_SECONDS": "3",
        "LOG_LEVEL": "warning",
    }


def _tellonce(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tellonce.cli", *args], env=env, **kwargs)


def _enqueue(env: dict[str, str], *work: tuple[str, str, float]) -> None:
    """Book `slow_work(key, seconds)` on each queue named."""
    code = "import django; django.setup()\nfrom tellonce.testing.tasks import slow_work\n" + (
        "".join(
            f"slow_work.using(queue_name={queue!r}).enqueue({key!r}, {seconds})\n"
            for queue, key, seconds in work
        )
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)


def _tasks(var: Path) -> dict[str, tuple[str, int, int | None]]:
    """Each slow_work task by key: (status, attempts, pid of the worker running it)."""
    with sqlite3.connect(var / "tellonce.sqlite3", timeout=20) as db:
        rows = db.execute(
            "select args_kwargs, status, worker_ids from django_tasks_database_dbtaskresult"
            " where task_path = 'tellonce.testing.tasks.slow_work'"
        ).fetchall()
        pids = dict(db.execute("select worker_id, pid from core_taskworker").fetchall())
    found = {}
    for args, status, worker_ids in rows:
        holders = json.loads(worker_ids)
        pid = pids.get(holders[-1]) if holders and status == "RUNNING" else None
        found[json.loads(args)["args"][0]] = (status, len(holders), pid)
    return found


def _done(var: Path) -> list[str]:
    path = var / "done.log"
    return sorted(path.read_text().split()) if path.exists() else []


def _wait(condition: Callable[[], object], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    except urllib.error.HTTPError:
        return True  # an answer, if not a welcome one
    except OSError:
        return False
    return True


def _children(pid: int) -> dict[int, str]:
    """The child processes of `pid`, with their command lines."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(FileNotFoundError):
                found[int(child)] = Path(f"/proc/{child}/cmdline").read_bytes().decode()
    return found


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database, copied for each test that needs one of its own."""
    template = tmp_path_factory.mktemp("migrated")
    migrate = _tellonce("migrate", "-v", "0", env=_env(template))
    assert migrate.wait(timeout=120) == 0
    return template / "tellonce.sqlite3"


def _fresh(migrated: Path, var: Path) -> Path:
    var.mkdir(exist_ok=True)
    shutil.copy(migrated, var / "tellonce.sqlite3")
    return var


@pytest.fixture(scope="module")
def served(migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    var = _fresh(migrated, tmp_path_factory.mktemp("serve"))
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    log = var / "serve.log"
    with open(log, "wb") as out:
        process = _tellonce(
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            env=_env(var),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            assert _wait(lambda: _answers(port), 60), log.read_text()
            yield Served(var, port, log, process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


@dataclass
class Served:
    var: Path
    port: int
    log: Path
    pid: int


KEYS = ("alerts-round", "linkage-run")


def test_a_worker_killed_mid_task_is_restarted_and_its_task_done_once(served):
    var, port, log = served.var, served.port, served.log
    _enqueue(_env(var), ("default", "alerts-round", 4), ("linkage", "linkage-run", 4))

    def running() -> bool:
        return all(_tasks(var).get(key, ("", 0, None))[2] for key in KEYS)

    assert _wait(running, 30), _tasks(var)
    for _, _, pid in _tasks(var).values():
        os.kill(pid, signal.SIGKILL)  # the worker, and the linkage worker, mid-task

    # The web server goes on serving while they are down and restarted.
    assert _answers(port)

    def finished() -> bool:
        return {key: status for key, (status, _, _) in _tasks(var).items()} == dict.fromkeys(
            KEYS, "SUCCESSFUL"
        )

    assert _wait(finished, 30), _tasks(var)
    assert _done(var) == ["alerts-round", "linkage-run"], "a task was lost or done twice"
    assert {attempts for _, attempts, _ in _tasks(var).values()} == {2}
    said = log.read_text()
    assert "worker exited with code -9 (SIGKILL); restarting in 1 s" in said
    assert "linkage worker exited with code -9 (SIGKILL); restarting in 1 s" in said
    assert "put back to run again (attempt 2 of 5)" in said


def test_the_web_server_killed_is_restarted_while_the_workers_go_on(served):
    var, port, log = served.var, served.port, served.log
    (web,) = [pid for pid, command in _children(served.pid).items() if "gunicorn" in command]
    os.kill(web, signal.SIGKILL)
    _enqueue(_env(var), ("default", "while-the-web-was-down", 0))
    assert _wait(lambda: "while-the-web-was-down" in _done(var), 20), _tasks(var)
    assert _wait(lambda: _answers(port), 30), log.read_text()
    assert "web server exited with code -9 (SIGKILL); restarting in 1 s" in log.read_text()


def test_a_worker_killed_outside_serve_has_its_task_taken_over_when_its_lease_runs_out(
    migrated, tmp_path
):
    var = _fresh(migrated, tmp_path)
    env = _env(var)
    _enqueue(env, ("default", "left-by-a-lone-worker", 3))
    lone = _tellonce("worker", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait(lambda: _tasks(var).get("left-by-a-lone-worker", ("",))[0] == "RUNNING", 30)
    finally:
        lone.send_signal(signal.SIGKILL)
        lone.wait(timeout=10)
    # The next worker takes it over once the dead one's lease has run out.
    other = _tellonce("worker", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait(lambda: "left-by-a-lone-worker" in _done(var), 30), _tasks(var)
    finally:
        other.terminate()
        other.wait(timeout=20)
    assert _done(var).count("left-by-a-lone-worker") == 1
    assert _tasks(var)["left-by-a-lone-worker"][:2] == ("SUCCESSFUL", 2)
