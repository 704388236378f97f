"""The child's page and chronology under load, and how fast alerts reach the inbox.

On PostgreSQL (a fresh database, `tellonce_bench`, on the server DATABASE_URL names or
127.0.0.1:5432), with the named people of the tests and Jack given 12 involvements and
500 chronology events from every agency:

1. The web server (gunicorn, as `tellonce serve` runs it) serves Jack's record page and
   his chronology page to 50 concurrent users signed in as Dana, each with their own
   session as each person's sign-in gives them (each view audited, as in use), from this
   process on loopback. Each user reads a page and then spends 1 to 5 seconds on it
   before the next (think time, as people do): about 17 pages a second. Target: p95
   under 150 ms. Also measured, with `wrk`, as the server's capacity: 50 connections
   (sharing one session) with no think time at all, each sending its next request the
   moment the last is answered.
2. With the task worker running, the school's system sends Jack's record through the
   API with a new involvement, 40 times one after another; each time, the clock runs
   from the request until every alert it caused is in its recipient's inbox. Target:
   p95 under 5 s.

Writes bench/results/child_page.json. Needs `wrk` (Debian package `wrk`). Its database,
server, thinking users and percentiles (`database_reset`, `served`, `users_reading`,
`percentiles`) serve `mash_bench` too.

    .venv/bin/python bench/child_page_bench.py [--users 50] [--seconds 20] [--alerts 40]

Also the audit write a page view makes, timed on its own (`audit_write`: its p95 is the
cost of auditing a page view); `--audit-only RESULTS` times just that.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from common import machine, measured_now, page_reached, results_write, timings_present

RESULTS = Path(__file__).resolve().parent / "results" / "child_page.json"
DATABASE = "tellonce_bench"
PORT = 8765
PAGE_TARGET_MS = 150
ALERT_TARGET_S = 5

SETUP = r"""
import json, random, sys
from datetime import date, timedelta
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.utils import timezone
from tellonce.chronology.models import ChronologyEvent, EventKind, SYSTEM_KINDS
from tellonce.involvements.models import Capacity, Involvement
from tellonce.organisations.models import Service, Team
from tellonce.people.models import AgencyRecord, LinkMethod
from tellonce.testing.world import build_world

w = build_world()
jack = w.jack
# Jack's 12 involvements: the school's (from the world) and 11 more teams'.
capacities = [Capacity.GP, Capacity.CAMHS, Capacity.EARLY_HELP, Capacity.CHILD_IN_NEED,
              Capacity.HOUSING, Capacity.YOUTH_JUSTICE, Capacity.VOLUNTARY_SERVICE,
              Capacity.SCHOOL_NURSING, Capacity.POLICE_INVESTIGATION, Capacity.MASH_ENQUIRY,
              Capacity.HEALTH_VISITING]
agencies = [w.council, w.health, w.police, w.school]
for i, capacity in enumerate(capacities):
    agency = agencies[i % len(agencies)]
    team = Team.objects.create(agency=agency, name=f"Bench team {i}", service=Service.EARLY_HELP,
                               phone=f"020 7946 9{i:03d}", email=f"bench{i}@northbrook.example")
    Involvement.objects.create(person=jack, team=team, capacity=capacity,
                               started_on=date(2025, 1, 1) + timedelta(days=20 * i),
                               source_agency=agency, source_system="Bench")
kinds = [k for k in EventKind.values if k not in SYSTEM_KINDS]
rng = random.Random(1)
ChronologyEvent.objects.bulk_create([
    ChronologyEvent(person=jack, kind=rng.choice(kinds),
                    occurred_on=date(2021, 1, 1) + timedelta(days=rng.randrange(2000)),
                    summary="Event %d: what happened, as the recorder wrote it, a sentence or two"
                            " long, as in the chronologies case reviews read." % n,
                    source_agency=rng.choice(agencies), source_system="Bench",
                    recorded_by_name="Bench recorder")
    for n in range(500)
])
device = TOTPDevice.objects.create(user=w.dana, name="phone", confirmed=True)
# One signed-in session for each simulated user (sys.argv[1] of them), as each person's
# own sign-in leaves it: every request saves its session, so users sharing one would all
# write one row, a contention real users never have.
sessions = []
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 1):
    session = SessionStore()
    session[SESSION_KEY] = str(w.dana.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = w.dana.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    # As a sign-in leaves it: without it the session's lifetime has no start and every
    # page sends the reader to sign in.
    session["signed_in_at"] = timezone.now().isoformat()
    session.create()
    sessions.append(session.session_key)
# The school system's own record of Jack, already linked to him.
AgencyRecord.objects.create(agency=w.school, system="SIMS", local_id="BENCH-JACK",
                            given_name="Jack", family_name="Taylor",
                            date_of_birth=jack.date_of_birth, person=jack,
                            link_method=LinkMethod.RECORDED)
print(json.dumps({"sessions": sessions, "jack": str(jack.pk), "token": w.school_token}))
"""

# The audit write a page view makes, timed on its own: Dana's look at Jack's record, each
# entry its own transaction as a page view's is, a checkpoint every 1000 (the default).
AUDIT_WRITES = r"""
import json, sys, time
import django
django.setup()
from tellonce.accounts.models import User
from tellonce.audit.models import Action, Channel
from tellonce.audit.services import audit_record
from tellonce.people.models import Person
dana = User.objects.get(username="dana")
jack = Person.objects.get(pk=sys.argv[1])
seconds = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    audit_record(actor=dana, action=Action.VIEW, channel=Channel.WEB, person=jack,
                 ip_address="127.0.0.1", detail={"page": "record"})
    seconds.append(time.perf_counter() - started)
print(json.dumps(seconds))
"""
AUDIT_WRITE_COUNT = 3000

#: Think time between one user's pages, in seconds.
THINK_S = (1.0, 5.0)
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("P50 %d\\nP95 %d\\nP99 %d\\nMEAN %d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
  io.write(string.format("REQUESTS %d\\nERRORS %d\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def _admin_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def server_url() -> str:
    """The PostgreSQL server DATABASE_URL names, or the local one."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    return base


def database_reset(base: str, name: str = DATABASE) -> str:
    """A fresh, empty database `name` on the server of `base`; its URL."""
    url = base.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(_admin_url(base), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return url


def bench_env(var_dir: str, database: str) -> dict[str, str]:
    """The environment the bench's server and commands run in (the demo settings)."""
    return {
        **os.environ,
        "TELLONCE_ENV": "demo",
        "TELLONCE_VAR_DIR": var_dir,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "tellonce.settings",
        "LOG_LEVEL": "warning",
    }


def migrate(env: dict[str, str]) -> None:
    run_command([sys.executable, "-m", "tellonce.cli", "migrate", "-v", "0"], env)
    run_command(
        [sys.executable, "-m", "tellonce.cli", "collectstatic", "--noinput", "-v", "0"], env
    )


def web_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


@contextmanager
def served(env: dict[str, str], port: int = PORT) -> Iterator[str]:
    """gunicorn, as `tellonce serve` runs it, on loopback; yields its URL."""
    web = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "tellonce.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(web_workers()), "--threads", "4",
         "--log-level", "warning", "--keep-alive", "30"],
        env=env,
    )  # fmt: skip
    try:
        _wait_for_server(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=30)


def run_command(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def _wait_for_server(port: int) -> None:
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the web server did not start")


def _wrk(url: str, cookie: str, users: int, seconds: int, script: Path) -> dict[str, float]:
    wrk = shutil.which("wrk") or "wrk"
    command = [wrk, "-t2", f"-c{users}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    command += ["-H", f"Cookie: sessionid={cookie}", url]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    values = dict(re.findall(r"^(P50|P95|P99|MEAN|REQUESTS|ERRORS) (\d+)$", out, re.M))
    requests = int(values["REQUESTS"])
    return {
        "p50_ms": round(int(values["P50"]) / 1000, 1),
        "p95_ms": round(int(values["P95"]) / 1000, 1),
        "p99_ms": round(int(values["P99"]) / 1000, 1),
        "mean_ms": round(int(values["MEAN"]) / 1000, 1),
        "requests": requests,
        "requests_per_second": round(requests / seconds, 1),
        "errors": int(values["ERRORS"]),
    }


#: What a user reads next: (the page's name in the results, its path, or its URL on
#: another server than the one the users were given).
Visit = Callable[[random.Random], tuple[str, str]]


def users_reading(
    url: str,
    cookies: Sequence[str],
    users: int,
    seconds: int,
    visit: Visit,
    *,
    visit_of_user: Callable[[int], Visit] | None = None,
) -> dict[str, dict[str, float]]:
    """`users` people reading pages: each, signed in with `cookies[n % len(cookies)]`,
    starts at a random moment in the first think time, then reads the page `visit`
    (or user n's own `visit_of_user(n)`) chooses, thinks 1 to 5 s, reads the next, for
    `seconds`. Each keeps a connection open to each server, as a browser does. Figures
    per page name."""
    import http.client
    import threading

    timings: dict[str, list[float]] = defaultdict(list)
    failures: Counter[str] = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(number: int) -> None:
        rng = random.Random(number)
        cookie = cookies[number % len(cookies)]
        choose = visit_of_user(number) if visit_of_user is not None else visit
        connections: dict[str, http.client.HTTPConnection] = {}
        time.sleep(rng.uniform(*THINK_S))
        while time.monotonic() < stop:
            name, where = choose(rng)
            parts = urlsplit(where if "://" in where else url + where)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            reused = parts.netloc in connections
            for attempt in (1, 2):
                connection = connections.get(parts.netloc) or http.client.HTTPConnection(
                    parts.hostname, parts.port, timeout=30
                )
                connections[parts.netloc] = connection
                started = time.perf_counter()
                try:
                    connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                    break
                except OSError:
                    connection.close()
                    del connections[parts.netloc]
                    ok = False
                    # A connection idle past the server's keep-alive is closed by it:
                    # a browser opens a new one and asks again, and so does this user.
                    if not reused or attempt == 2:
                        break
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    timings[name].append(elapsed)
                else:
                    failures[name] += 1
            time.sleep(rng.uniform(*THINK_S))
        for connection in connections.values():
            connection.close()

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        name: percentiles(timings[name], seconds=seconds, errors=failures[name])
        for name in sorted(set(timings) | set(failures))
    }


def percentiles(
    seconds_each: Sequence[float], *, seconds: float, errors: int = 0
) -> dict[str, float]:
    """p50, p95, p99 and mean in milliseconds of timings in seconds, and the rate."""
    ms = sorted(t * 1000 for t in seconds_each)
    if len(ms) < 2:
        return {"requests": len(ms), "errors": errors}
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
        "mean_ms": round(statistics.fmean(ms), 1),
        "requests": len(ms),
        "requests_per_second": round(len(ms) / seconds, 1),
        "errors": errors,
    }


def _users(url: str, cookies: Sequence[str], users: int, seconds: int) -> dict[str, float]:
    """`users` people reading the one page at `url`, each with their own session from
    `cookies` (see `users_reading`)."""
    path = urlsplit(url).path
    return users_reading(url, cookies, users, seconds, lambda rng: ("page", path))["page"]


def _alert_latency(url: str, jack: str, token: str, trials: int, database: str) -> dict[str, Any]:
    import urllib.request

    seconds = []
    with psycopg.connect(database, autocommit=True) as db:
        for trial in range(trials):
            before = db.execute("select count(*) from alerts_alert").fetchone()[0]
            body = {
                "system": "SIMS",
                "record_id": "BENCH-JACK",
                "given_name": "Jack",
                "family_name": "Taylor",
                "team": "Designated safeguarding lead",
                "capacity": "school",
                "started_on": f"2026-{1 + trial // 28:02d}-{1 + trial % 28:02d}",
            }
            request = urllib.request.Request(  # noqa: S310 (http on loopback)
                f"{url}/api/v1/records/",
                data=json.dumps(body).encode(),
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                assert response.status in (200, 201), response.status
            while True:
                total, delivered = db.execute(
                    "select count(*), count(delivered_on) from alerts_alert"
                ).fetchone()
                if total > before and total == delivered:
                    break
                if time.perf_counter() - started > 60:
                    raise SystemExit("alerts were not delivered within a minute")
                time.sleep(0.02)
            seconds.append(time.perf_counter() - started)
    q = statistics.quantiles(seconds, n=100, method="inclusive")
    return {
        "involvements": trials,
        "alerts_per_involvement": round(total / trials, 1),
        "p50_s": round(q[49], 2),
        "p95_s": round(q[94], 2),
        "max_s": round(max(seconds), 2),
    }


def audit_writes(env: dict[str, str], jack: str, count: int = AUDIT_WRITE_COUNT) -> dict[str, Any]:
    """The audit write of a page view, `count` times one after another: its percentiles."""
    started = time.perf_counter()
    out = run_command([sys.executable, "-c", AUDIT_WRITES, jack, str(count)], env)
    timings = json.loads(out.strip().splitlines()[-1])
    return percentiles(timings, seconds=time.perf_counter() - started)


def run_audit_only(database_name: str) -> dict[str, Any]:
    """Just the audit write (no wrk needed): `--audit-only`."""
    database = database_reset(server_url(), database_name)
    with tempfile.TemporaryDirectory(prefix="tellonce-audit-bench-") as var_dir:
        env = bench_env(var_dir, database)
        migrate(env)
        setup = run_command([sys.executable, "-c", SETUP, "1"], env)
        made = json.loads(setup.strip().splitlines()[-1])
        writes = audit_writes(env, made["jack"])
    return {
        "benchmark": "the audit write of a child's page view",
        "database": "postgresql",
        "audit_write": writes,
        "audit_write_p95_ms": writes["p95_ms"],
        "machine": machine(),
        "measured_on": measured_now(),
    }


def run(users: int, seconds: int, alerts: int, database_name: str = DATABASE) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("this benchmark needs wrk: apt-get install wrk")
    load_before = os.getloadavg()
    database = database_reset(server_url(), database_name)
    workers = web_workers()
    with tempfile.TemporaryDirectory(prefix="tellonce-page-bench-") as var_dir:
        env = bench_env(var_dir, database)
        migrate(env)
        setup = run_command([sys.executable, "-c", SETUP, str(users)], env)
        made = json.loads(setup.strip().splitlines()[-1])
        sessions = made["sessions"]
        writes = audit_writes(env, made["jack"])
        with served(env) as url:
            script = Path(var_dir) / "report.lua"
            script.write_text(WRK_SCRIPT)
            pages, capacity = {}, {}
            for name, path in (
                ("record", f"/people/{made['jack']}/"),
                ("chronology", f"/people/{made['jack']}/chronology/"),
            ):
                # Every user's session reaches the page (which also loads every code
                # path and compiles every template before the clock starts).
                for session in sessions:
                    page_reached(url + path, session, name)
                _wrk(url + path, sessions[0], 2, 2, script)
                pages[name] = _users(url + path, sessions, users, seconds * 3)
                capacity[name] = _wrk(url + path, sessions[0], users, seconds, script)
            timings_present(pages)
            worker = subprocess.Popen(
                [sys.executable, "-m", "tellonce.cli", "worker", "--queue", "default",
                 "--interval", "0.1"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                time.sleep(2)
                latency = _alert_latency(url, made["jack"], made["token"], alerts, database)
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)
    load_after = os.getloadavg()
    worst_page = max(p["p95_ms"] for p in pages.values())
    return {
        "benchmark": "child's page and alert delivery",
        "database": "postgresql",
        "concurrent_users": users,
        "seconds_per_page": seconds,
        "web_workers": workers,
        "jack": {"involvements": 12, "chronology_events": 500},
        "think_time_s": list(THINK_S),
        "seconds_per_page_with_users": seconds * 3,
        "pages": pages,
        "capacity_no_think_time": capacity,
        "page_p95_ms": worst_page,
        "page_target_p95_ms": PAGE_TARGET_MS,
        "page_within_target": worst_page < PAGE_TARGET_MS,
        "alert_delivery": latency,
        "alert_p95_s": latency["p95_s"],
        "alert_target_p95_s": ALERT_TARGET_S,
        "alert_within_target": latency["p95_s"] < ALERT_TARGET_S,
        "audit_write": writes,
        "audit_write_p95_ms": writes["p95_ms"],
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "notes": [
            f"Load: the machine's load average (1, 5, 15 min) was"
            f" {', '.join(f'{x:.2f}' for x in load_before)} before the run and"
            f" {', '.join(f'{x:.2f}' for x in load_after)} after it; other work sharing"
            f" its {os.cpu_count()} cores (such as test runs) slows every figure; the"
            " figure after includes this benchmark's own server, users and wrk.",
            f"audit_write: {AUDIT_WRITE_COUNT} audit entries of a page view written one after"
            " another, each in its own transaction, the HMAC computed and a checkpoint"
            " written (and fsynced) every 1000.",
            "wrk (2 threads) and the server share the same two cores.",
            "pages: 50 users (threads of this process, each with its own connection) who"
            " start at random within 1-5 s and think 1-5 s between pages: the target."
            " capacity_no_think_time: wrk's 50 connections firing back to back, which on"
            " two cores queues requests (its p95 is queueing time, not page time).",
            "Every page view writes an audit event, as in use.",
            f"pages: each of the {users} users has their own signed-in session (Dana's,"
            " made as a sign-in leaves it), as real users do: sessions are saved on every"
            " request, and in earlier runs all users shared one, so every request also"
            " updated that one session row, a contention real users never have (earlier"
            " figures include it)."
            " capacity_no_think_time still sends one session for all of wrk's"
            " connections, so its figures include that one row's contention.",
            "Alert delivery: the worker polls its queue every 0.1 s (worker --interval).",
            "gunicorn keeps idle connections 30 s (--keep-alive 30), as a proxy in front"
            " would; with its default of 2 s every thinking user reconnects.",
        ],
        "machine": machine(),
        "measured_on": measured_now(),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--alerts", type=int, default=40)
    parser.add_argument("--database", default=DATABASE, help="the database to (re)create")
    parser.add_argument(
        "--audit-only",
        type=Path,
        metavar="RESULTS",
        help="time only the audit write of a page view and write its figures to RESULTS",
    )
    options = parser.parse_args(argv)
    if options.audit_only:
        only = run_audit_only(options.database)
        results_write(options.audit_only, only)
        print(f"audit write p95 {only['audit_write_p95_ms']} ms -> {options.audit_only}")
        return only
    result = run(options.users, options.seconds, options.alerts, options.database)
    results_write(RESULTS, result)
    pages = ", ".join(f"{n} p95 {p['p95_ms']} ms" for n, p in result["pages"].items())
    print(
        f"child's page under {options.users} users: {pages};"
        f" alerts in the inbox p95 {result['alert_p95_s']} s;"
        f" audit write p95 {result['audit_write_p95_ms']} ms -> {RESULTS}"
    )
    return result


if __name__ == "__main__":
    main()
