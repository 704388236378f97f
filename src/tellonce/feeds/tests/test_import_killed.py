"""An import killed with SIGKILL part way through a file: nothing in its process can
say so, so the next start-up does. The import is marked stopped part way with the
counts of the batches it wrote, audited, and its records are handed to the linkage
worker. A real import process and a real database file: nothing here is simulated."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import yaml

import tellonce
from tellonce.feeds.services import BATCH_ROWS
from tellonce.feeds.tests.test_import import MAPPING
from tellonce.feeds.tests.test_import_faults import child, csv_bytes

ROWS = 12_000
#: A new database with the test world in it.
SET_UP = (
    "import django; django.setup()\n"
    "from django.core.management import call_command\n"
    "from tellonce.testing.world import build_world\n"
    "call_command('migrate', verbosity=0)\n"
    "build_world()\n"
)
#: What `tellonce serve` does on start (`ON_SERVE`), until the import is seen stopped.
START_UP = (
    "import django, time; django.setup()\n"
    "from tellonce.feeds.services import stopped_imports_said\n"
    "for _ in range(100):\n"
    "    said = stopped_imports_said()\n"
    "    if said:\n"
    "        print(said)\n"
    "        break\n"
    "    time.sleep(0.2)\n"
)


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # The processes run this checkout's code, as the test itself does.
    src = str(Path(tellonce.__file__).resolve().parents[1])
    return env | {
        "PYTHONPATH": os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p),
        "TELLONCE_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "tellonce.settings",
        "TELLONCE_VAR_DIR": str(var),
        "FEED_HEARTBEAT_SECONDS": "1",
        "LOG_LEVEL": "warning",
    }


def _tellonce(*args: str) -> list[str]:
    return [sys.executable, "-m", "tellonce.cli", *args]


def _query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_an_import_killed_mid_file_is_marked_stopped_part_way_at_the_next_start_up(tmp_path):
    env = _env(tmp_path)
    database = tmp_path / "tellonce.sqlite3"
    subprocess.run([sys.executable, "-c", SET_UP], env=env, check=True, timeout=120)
    path = tmp_path / "systmone.csv"
    path.write_bytes(csv_bytes([child(n) for n in range(1, ROWS + 1)]))
    path.with_suffix(".yaml").write_text(yaml.safe_dump(MAPPING))

    command = _tellonce("import", "--agency", "RNB", str(path))
    importing = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    landed = "select rows_new from feeds_feedimport where status = 'running'"
    try:
        # Kill it once a batch or two are written and most of the file is not.
        assert _wait(lambda: (_query(database, landed) or [(0,)])[0][0] >= BATCH_ROWS, 60)
    finally:
        importing.send_signal(signal.SIGKILL)
        importing.wait(timeout=10)
    [(pk, status, written)] = _query(database, "select id, status, rows_new from feeds_feedimport")
    assert pk == 1 and status == "running" and BATCH_ROWS <= written < ROWS

    said = subprocess.run(
        [sys.executable, "-c", START_UP], env=env, check=True, capture_output=True, text=True
    ).stdout

    assert said.strip() == f"Feed imports found stopped part way and marked so: {pk}."
    [(status, read, new)] = _query(
        database, "select status, rows_read, rows_new from feeds_feedimport"
    )
    records = _query(database, "select count(*) from people_agencyrecord where feed_id = 1")
    assert status == "stopped_part_way" and read == new == records[0][0] == written
    audited = _query(
        database,
        "select detail from audit_auditevent where reason = 'Agency feed import stopped part way'",
    )
    assert [json.loads(d)["new"] for (d,) in audited] == [written]
    queued = _query(
        database,
        "select args_kwargs from django_tasks_database_dbtaskresult"
        " where task_path = 'tellonce.linkage.tasks.feed_records_link'",
    )
    assert [json.loads(a)["args"] for (a,) in queued] == [[pk]]
