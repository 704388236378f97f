"""The task worker is killed while it sends alerts; started again, it delivers every
alert, each exactly once: none lost, none twice. A real worker process, a real database
file and real mail files: nothing here is simulated but the mail server's slowness."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

#: Involvements started before the worker runs; each alerts the teams already involved.
SCENARIO = """
import django
django.setup()
from datetime import date
from tellonce.testing.world import build_world
from tellonce.involvements.models import Capacity
from tellonce.involvements.services import involvement_start
w = build_world()
for person, team, who, capacity in [
    (w.jack, w.early_help, w.erin, Capacity.EARLY_HELP),
    (w.lily, w.mash, w.sam, Capacity.MASH_ENQUIRY),
    (w.kerry, w.public_protection, None, Capacity.POLICE_INVESTIGATION),
    (w.jack, w.leaving_care, w.paul, Capacity.LEAVING_CARE),
]:
    involvement_start(person=person, team=team, practitioner=who, capacity=capacity,
                      started_on=date(2026, 11, 30), source_agency=team.agency,
                      source_system="TellOnce")
"""
#: What `tellonce serve` does on start: a delivery round if anything waits.
ROUND = (
    "import django; django.setup()\n"
    "from tellonce.alerts.tasks import alerts_deliver_ensure\n"
    "alerts_deliver_ensure()"
)


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {
        # This checkout's code, whichever one is installed.
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "TELLONCE_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "tellonce.settings",
        "TELLONCE_VAR_DIR": str(var),
        "EMAIL_BACKEND": "tellonce.testing.email.SlowFileBackend",
        "TELLONCE_TEST_EMAIL_PAUSE": "0.4",
        "ALERT_DELIVERY_LEASE_SECONDS": "2",
        "LOG_LEVEL": "warning",
    }


def _python(code: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tellonce.cli", "worker", "--queue", "default,alerts_email"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _counts(database: Path) -> tuple[int, int, int, int]:
    """(alerts, alerts delivered, email deliveries, email deliveries sent)."""
    with sqlite3.connect(database) as db:
        alerts, delivered = db.execute(
            "select count(*), count(delivered_on) from alerts_alert"
        ).fetchone()
        emails, sent = db.execute(
            "select count(*), count(sent_on) from alerts_delivery where channel = 'email'"
        ).fetchone()
    return alerts, delivered, emails, sent


def _message_ids(mail: Path) -> Counter[str]:
    ids: Counter[str] = Counter()
    for path in mail.glob("*.log") if mail.exists() else ():
        for line in path.read_text().splitlines():
            if line.startswith("Message-ID:"):
                ids[line.split(":", 1)[1].strip()] += 1
    return ids


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(tmp_path):
    env = _env(tmp_path)
    database = tmp_path / "tellonce.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "tellonce.cli", "migrate", "-v", "0"], env=env, check=True
    )
    _python(SCENARIO, env)
    alerts, _, emails, _ = _counts(database)
    assert alerts >= 8 and emails == alerts

    worker = _worker(env)
    try:
        # Kill it once some emails are out and others are not: it is mid-send.
        assert _wait(lambda: 2 <= _counts(database)[3] < emails - 2, 60)
        time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    _, _, _, sent_before = _counts(database)
    assert sent_before < emails

    _python(ROUND, env)
    worker = _worker(env)
    try:
        assert _wait(lambda: _counts(database)[1::2] == (alerts, emails), 90), _counts(database)
    finally:
        worker.terminate()
        worker.wait(timeout=20)

    ids = _message_ids(tmp_path / "mail")
    assert len(ids) == emails, "an alert's email was lost"
    assert set(ids.values()) == {1}, "an alert's email was sent twice"
