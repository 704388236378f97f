"""Operation Encompass at scale: a morning's batch of 10,000 incidents, to every
school notification delivered.

On PostgreSQL (a fresh database, `tellonce_bench_encompass`, on the server
DATABASE_URL names or 127.0.0.1:5432), `tellonce seed` builds the synthetic borough
(57,000 children), timed, and VACUUM ANALYZE gathers its statistics. Then 10,000
incidents of the 24 hours before the run, each with 1 to 3 children of the borough
who are in school (a current involvement in the capacity "school"), named by their
TellOnce id, are sent through the API (`POST /api/v1/encompass/incidents/`,
`{"incidents": [...]}`) with the police's system account's token, to the web server
(gunicorn, as `tellonce serve` runs it, with the child-page benchmark's harness).
The task worker runs as `tellonce serve` runs its inbox worker (`tellonce worker
--queue default`, its default 1 s interval).

The whole batch is sent in one request first. If the server refuses it (a 10,000
incident batch is about 4 MB of JSON, and Django refuses a body over its
DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB by default), the refusal is recorded and the same
batch is sent as a police system then must: in requests of `--per-request` incidents
(2,000 by default), one after another, the clock started afresh.

The clock runs from sending the first request to every school notification's alert
delivered (`Alert.delivered_on`, polled every 0.25 s). Target: under 60 s. Also
reported: the time to record the batch (the last request's answer), to deliver every
notification (the council's too), the notifications by recipient, and the peak
memory (VmHWM) of the web server's workers and of the task worker.

Writes bench/results/encompass.json and encompass.md.

    .venv/bin/python bench/encompass_bench.py [--incidents 10000] [--children 57000]
        [--reuse-database] [--per-request 2000]

`--reuse-database` keeps a database an earlier run seeded (no seed time is measured;
the earlier runs' incidents stay, and this run's have references of their own).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from child_page_bench import bench_env, database_reset, migrate, run_command, served, server_url
from common import machine, measured_now, results_write
from mash_bench import _analyse

RESULTS = Path(__file__).resolve().parent / "results" / "encompass.json"
DATABASE = "tellonce_bench_encompass"
TARGET_S = 60
POLL_S = 0.25
POLICE_ACCOUNT = "police-system"

SETUP = r"""
import json, sys
import django
django.setup()
from tellonce.accounts.models import User
from tellonce.accounts.services import api_token_issue
from tellonce.audit.services import COMMAND_LINE
from tellonce.involvements.models import Capacity, Involvement

token = api_token_issue(user=User.objects.get(username=sys.argv[1]), by=None, via=COMMAND_LINE)
pupils = (
    Involvement.objects.current()
    .filter(capacity=Capacity.SCHOOL, person__archived_on__isnull=True)
    .values_list("person_id", flat=True)
    .distinct()
)
print(json.dumps({"token": token, "pupils": sorted(str(p) for p in pupils)}))
"""

#: The batch's notifications, by recipient: how many, and how many delivered.
DELIVERED = """
select n.recipient, count(*), count(a.delivered_on)
from encompass_notification n
left join alerts_alert a on a.id = n.alert_id
where n.incident_id between %s and %s
group by n.recipient
"""

VOICES = (
    "Was asleep upstairs and did not wake.",
    "Was crying and holding their younger sibling.",
    "Said they were scared when the shouting started.",
    "Was quiet and would not speak to officers.",
    "Told officers this happens most weekends.",
)
PLACES = ("Flat {n}, Alder House", "{n} Birch Road", "{n} Cedar Close", "{n} Elm Grove")


def _seeded_already(database: str) -> bool:
    try:
        with psycopg.connect(database) as db:
            if not db.execute("select to_regclass('borough_seedrun') is not null").fetchone()[0]:
                return False
            return db.execute("select exists(select 1 from borough_seedrun)").fetchone()[0]
    except psycopg.OperationalError:
        return False


def _seed(env: dict[str, str], children: int) -> float:
    """`tellonce seed` of the borough (its MASH year as the seed makes it); seconds."""
    started = time.perf_counter()
    run_command([sys.executable, "-m", "tellonce.cli", "seed", "--children", str(children)], env)
    return round(time.perf_counter() - started, 1)


def incidents_build(
    pupils: list[str], count: int, prefix: str, now: datetime, seed: int = 1
) -> list[dict[str, Any]]:
    """`count` incidents of the 24 hours before `now`, each with 1 to 3 different
    children in school, named by id."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        occurred = now - timedelta(seconds=rng.randint(15 * 60, 24 * 3600))
        rows.append(
            {
                "police_ref": f"{prefix}{n:05d}",
                "occurred_at": occurred.isoformat(timespec="seconds"),
                "place": rng.choice(PLACES).format(n=rng.randint(1, 120)) + ", Northbrook",
                "children": [
                    {"person": pupil, "present": rng.random() < 0.7, "voice": rng.choice(VOICES)}
                    for pupil in rng.sample(pupils, rng.randint(1, 3))
                ],
            }
        )
    return rows


def _post(url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 (http on loopback)
        f"{url}/api/v1/encompass/incidents/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 (loopback)
        assert response.status == 200, response.status
        answer = json.loads(response.read())
    if answer["errors"]:
        raise SystemExit(f"the batch had errors: {answer['errors'][:5]}")
    return answer


def _whole(url: str, token: str, batch: list[dict[str, Any]]) -> dict[str, Any] | str:
    """The batch in one request: the API's answer, or why it was refused."""
    try:
        return _post(url, token, {"incidents": batch})
    except urllib.error.HTTPError as exc:
        return f"refused (HTTP {exc.code})"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"refused (the server closed the connection: {reason})"


def _in_requests(
    url: str, token: str, batch: list[dict[str, Any]], per_request: int
) -> tuple[list[dict[str, Any]], list[float]]:
    """The batch in requests of `per_request` incidents, one after another: each
    request's answer, and its seconds."""
    answers, seconds = [], []
    for start in range(0, len(batch), per_request):
        started = time.perf_counter()
        answers.append(_post(url, token, {"incidents": batch[start : start + per_request]}))
        seconds.append(round(time.perf_counter() - started, 1))
    return answers, seconds


def _delivered(db: psycopg.Connection, ids: tuple[int, int]) -> dict[str, tuple[int, int]]:
    rows = db.execute(DELIVERED, ids).fetchall()
    return {recipient: (total, delivered) for recipient, total, delivered in rows}


@contextmanager
def _worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """The task worker, as `tellonce serve` starts it."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "tellonce.cli", "worker", "--queue", "default"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    hwm = _status(pid).get("VmHWM", "0 kB").split()[0]
    return round(int(hwm) / 1024, 1)


def _web_workers() -> list[int]:
    """The gunicorn workers among this process's descendants."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            status = _status(int(entry.name))
            if status.get("PPid"):
                parents[int(entry.name)] = int(status["PPid"])
    found, frontier = [], [os.getpid()]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid:
                frontier.append(child)
                found.append(child)
    return [p for p in found if parents.get(p) in found and "gunicorn" in _cmdline(p)]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _ids(*answers: dict[str, Any]) -> tuple[int, int]:
    """The first and last id of the incidents the answers recorded (stored in order)."""
    ids = [row["id"] for answer in answers for row in answer["recorded"]]
    return min(ids), max(ids)


def _wait_delivered(
    db: psycopg.Connection, ids: tuple[int, int], started: float, limit_s: float
) -> tuple[float | None, float, dict[str, tuple[int, int]]]:
    """Poll until every notification of the incidents `ids` (first, last) is
    delivered: the seconds since `started` when the schools' were, when all were, and
    the last counts."""
    school_s: float | None = None
    while True:
        counts = _delivered(db, ids)
        now = time.perf_counter() - started
        school = counts.get("school", (0, 0))
        if school_s is None and school[0] and school[0] == school[1]:
            school_s = now
        if counts and all(total == done for total, done in counts.values()):
            return school_s, now, counts
        if now > limit_s:
            raise SystemExit(f"not delivered within {limit_s:.0f} s: {counts}")
        time.sleep(POLL_S)


def run(incidents: int, children: int, reuse: bool, per_request: int) -> dict[str, Any]:
    base = server_url()
    url_of = base.rsplit("/", 1)[0] + f"/{DATABASE}"
    reused = reuse and _seeded_already(url_of)
    database = url_of if reused else database_reset(base, DATABASE)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    prefix = f"BENCH-{stamp}-B-"
    with tempfile.TemporaryDirectory(prefix="tellonce-encompass-bench-") as var_dir:
        env = bench_env(var_dir, database)
        migrate(env)
        seed_s = None if reused else _seed(env, children)
        _analyse(database)
        made = json.loads(
            run_command([sys.executable, "-c", SETUP, POLICE_ACCOUNT], env).strip().splitlines()[-1]
        )
        batch = incidents_build(made["pupils"], incidents, prefix, datetime.now(UTC))
        size = len(json.dumps({"incidents": batch}))
        with (
            served(env) as url,
            _worker(env) as worker,
            psycopg.connect(database, autocommit=True) as db,
        ):
            # One incident first, to its delivery: every code path loaded, the worker up.
            warm = incidents_build(made["pupils"], 1, f"BENCH-{stamp}-W-", datetime.now(UTC), 2)
            warmed = _post(url, made["token"], {"incidents": warm})
            _wait_delivered(db, _ids(warmed), time.perf_counter(), 60)
            # The whole batch in one request, as the issue has it; if the server refuses
            # it, the same batch in smaller requests, one after another, timed afresh.
            load = [round(x, 2) for x in os.getloadavg()]
            started = time.perf_counter()
            whole = _whole(url, made["token"], batch)
            if isinstance(whole, str):
                started = time.perf_counter()
                answers, each_s = _in_requests(url, made["token"], batch, per_request)
            else:
                answers, each_s = [whole], [round(time.perf_counter() - started, 1)]
            recorded_s = time.perf_counter() - started
            ids = _ids(*answers)
            school_s, all_s, counts = _wait_delivered(db, ids, started, 1800)
            web_peak = max((_peak_mb(p) for p in _web_workers()), default=None)
            worker_peak = _peak_mb(worker.pid)
            version = db.execute("show server_version").fetchone()[0]
            deliveries = dict(
                db.execute(
                    "select d.channel, count(*) from alerts_delivery d"
                    " join encompass_notification n on n.alert_id = d.alert_id"
                    " where n.incident_id between %s and %s group by d.channel",
                    ids,
                ).fetchall()
            )
    assert sum(len(a["recorded"]) for a in answers) == incidents
    named = sum(len(row["children"]) for row in batch)
    total_s = school_s if school_s is not None else all_s
    return {
        "benchmark": "Operation Encompass: a morning's batch of incidents",
        "database": "postgresql",
        "postgresql": version,
        "borough_children": children,
        "children_in_school": len(made["pupils"]),
        **({} if seed_s is None else {"seed_seconds": seed_s}),
        "incidents": incidents,
        "children_named": named,
        "batch_bytes": size,
        "whole_batch_in_one_request": "accepted" if not isinstance(whole, str) else whole,
        "requests": len(answers),
        "incidents_per_request": incidents if len(answers) == 1 else per_request,
        "request_seconds": each_s,
        "notifications": {k: v[0] for k, v in sorted(counts.items())},
        "deliveries": deliveries,
        "record_seconds": round(recorded_s, 1),
        "deliver_school_seconds": round(total_s - recorded_s, 1),
        "school_delivered_seconds": round(total_s, 1),
        "all_delivered_seconds": round(all_s, 1),
        "target_seconds": TARGET_S,
        "ratio_to_target": round(total_s / TARGET_S, 2),
        "within_target": total_s < TARGET_S,
        "peak_memory_mb": {"web_worker": web_peak, "task_worker": worker_peak},
        "load_average_at_start": load,
        "notes": [
            "Sent through the API to gunicorn (as `tellonce serve` runs it) from this"
            " process over loopback; the task worker is `tellonce worker --queue"
            " default` (its default 1 s interval), as `tellonce serve` runs it. The server,"
            " the worker, PostgreSQL and this process share the same two cores.",
            *(
                []
                if not isinstance(whole, str)
                else [
                    f"The whole batch in one request ({size / 1e6:.1f} MB) was {whole}:"
                    " Django refuses a request body over its DATA_UPLOAD_MAX_MEMORY_SIZE"
                    " (2.5 MB unless the settings say otherwise). So it went as a police"
                    f" system must send it: {len(answers)} requests of {per_request:,}"
                    " incidents, one after another, each stored in its own transaction;"
                    " the worker delivers one request's notifications while the next is"
                    " recorded. The clock starts at the first of them.",
                ]
            ),
            "The clock runs from sending the batch to every school notification's alert"
            " delivered to its inbox (Alert.delivered_on), polled every 0.25 s;"
            " deliver_school_seconds is that less the time to record the batch (the last"
            " request's answer).",
            "Incidents of the 24 hours before the run; each names 1 to 3 different"
            " children with a current school involvement, chosen at random over the"
            " borough, by TellOnce id. Children at a school not signed up (every tenth)"
            " are notified to the council; so are all, too, when the day after the"
            " incident is not a school day.",
            "One incident is sent and delivered first (not counted): code loaded, worker up.",
            "Each alert has an inbox delivery and, where the team has an address, an email"
            " (to a file, in the bench, and with no personal details); the worker puts"
            " alerts in their inboxes a batch at a time first, then sends the emails.",
            "Peak memory is VmHWM of the busiest gunicorn worker and of the task worker.",
            "load_average_at_start is the machine's 1, 5 and 15 minute load averages as"
            " the batch was sent: anything else running on the two cores shows there.",
            "VACUUM ANALYZE runs after the seed, as autovacuum would.",
        ],
        "machine": machine(),
        "measured_on": measured_now(),
    }


def _report(result: dict[str, Any]) -> str:
    notifications = result["notifications"]
    peak = result["peak_memory_mb"]
    verdict = "within" if result["within_target"] else "MISSES"
    lines = [
        "# Operation Encompass: a morning's batch of incidents",
        "",
        f"PostgreSQL {result['postgresql']}; {result['borough_children']:,} children"
        f" ({result['children_in_school']:,} in school); {result['machine']['cores']} cores"
        f" (load average {', '.join(map(str, result['load_average_at_start']))} as the"
        f" batch was sent). Measured {result['measured_on']}.",
        "",
    ]
    if "seed_seconds" in result:
        lines += [f"Seed: `tellonce seed` in {result['seed_seconds']} s.", ""]
    lines += [
        f"A batch of {result['incidents']:,} incidents naming {result['children_named']:,}"
        f" children ({result['batch_bytes'] / 1e6:.1f} MB of JSON), through the API in"
        f" {result['requests']} request{'s' if result['requests'] > 1 else ''} of"
        f" {result['incidents_per_request']:,} incidents (each recorded in"
        f" {', '.join(f'{s:g}' for s in result['request_seconds'])} s);"
        f" {notifications.get('school', 0):,} school and {notifications.get('council', 0):,}"
        " council notifications.",
        "",
        f"The whole batch in one request: {result['whole_batch_in_one_request']}.",
        "",
        "| Step | seconds |",
        "|---|---|",
        f"| Record the batch (the last request's answer) | {result['record_seconds']} |",
        f"| Then deliver every school notification | {result['deliver_school_seconds']} |",
        f"| **Total: sent to every school notification delivered** |"
        f" **{result['school_delivered_seconds']}** |",
        f"| Sent to every notification delivered (the council's too) |"
        f" {result['all_delivered_seconds']} |",
        "",
        f"Total {result['school_delivered_seconds']} s: {verdict} the target of"
        f" {result['target_seconds']} s ({result['ratio_to_target']:.2f} of it).",
        "",
        f"Peak memory: {peak['web_worker']} MB in the web worker that took the batch,"
        f" {peak['task_worker']} MB in the task worker.",
        "",
        "Notes:",
        "",
        *(f"- {note}" for note in result["notes"]),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--children", type=int, default=57_000)
    parser.add_argument("--reuse-database", action="store_true")
    parser.add_argument(
        "--per-request",
        type=int,
        default=2_000,
        help="Incidents in each request when the server refuses the whole batch in one.",
    )
    options = parser.parse_args(argv)
    result = run(options.incidents, options.children, options.reuse_database, options.per_request)
    results_write(RESULTS, result)
    RESULTS.with_suffix(".md").write_text(_report(result), encoding="utf-8")
    print(
        f"Operation Encompass: {options.incidents:,} incidents, every school notification"
        f" delivered in {result['school_delivered_seconds']} s (target {TARGET_S} s)"
        f" -> {RESULTS}"
    )
    return result


if __name__ == "__main__":
    main()
