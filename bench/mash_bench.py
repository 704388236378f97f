"""The MASH's queue and case pages under load, with a year of a borough's contacts.

On PostgreSQL (a fresh database, `tellonce_bench_mash`, on the server DATABASE_URL
names or 127.0.0.1:5432), `tellonce seed` builds the synthetic borough (57,000
children) with a year of its MASH's contacts (20,000, `borough.mash`), timed. Then 50
MASH staff (social workers, a manager, police, health and education desk officers,
each signed in as themselves) use the web server (gunicorn, as `tellonce serve` runs
it, with the child-page benchmark's harness): each reads a page, thinks 1 to 5 s, and
reads the next, choosing

- the queue, `/mash/` (the open cases, most urgent first): 40% of pages;
- a page of the year's cases, `/mash/?state=all&page=N`, N at random: 20%;
- a case, `/mash/cases/<id>/`, at random over the year (each view audited): 40%.

Target: the queue's p95 under 200 ms. Also measured in-process, as a check without
the web server: `selectors.mash_queue` and `selectors.case_get`, each query of the
queue with its time, and PostgreSQL's plan for the slowest.

Writes bench/results/mash.json and mash.md.

    .venv/bin/python bench/mash_bench.py [--users 50] [--seconds 120]
        [--children 57000] [--contacts 20000] [--reuse-database] [--pages queue,case]

`--reuse-database` keeps a database an earlier run seeded (no seed time is measured).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from child_page_bench import (
    THINK_S,
    bench_env,
    database_reset,
    migrate,
    run_command,
    served,
    server_url,
    users_reading,
    web_workers,
)
from common import machine, measured_now, page_reached, results_write, timings_present

RESULTS = Path(__file__).resolve().parent / "results" / "mash.json"
DATABASE = "tellonce_bench_mash"
QUEUE_TARGET_MS = 200
#: Each user's next page: (name, share of pages).
MIX = (("queue", 0.4), ("queue_all_pages", 0.2), ("case", 0.4))

SETUP = r"""
import json, random, statistics, sys, time
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.utils import timezone
from tellonce.accounts.models import User, UserRole
from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.mash import selectors
from tellonce.mash.models import Contact, MashCase, OPEN_STATES
from tellonce.organisations.models import Role, Service, Team

users_wanted = int(sys.argv[1])
hub = Team.objects.filter(service=Service.MASH).order_by("pk").first()
desks = {t.service: t for t in Team.objects.filter(mash=hub)}
# A MASH's staff: social workers, a manager or two, and the partner desks.
roles = [
    (Role.MASH_SOCIAL_WORKER, hub), (Role.MASH_SOCIAL_WORKER, hub),
    (Role.POLICE_MASH_OFFICER, desks[Service.POLICE_MASH]),
    (Role.MASH_SOCIAL_WORKER, hub), (Role.HEALTH_MASH_LEAD, desks[Service.HEALTH_MASH]),
    (Role.MASH_SOCIAL_WORKER, hub),
    (Role.EDUCATION_MASH_REPRESENTATIVE, desks[Service.EDUCATION_MASH]),
    (Role.MASH_MANAGER, hub), (Role.MASH_SOCIAL_WORKER, hub),
    (Role.POLICE_MASH_OFFICER, desks[Service.POLICE_MASH]),
]
sessions = []
for n in range(users_wanted):
    role, team = roles[n % len(roles)]
    user, made = User.objects.get_or_create(
        username=f"bench.mash.{n:02d}",
        defaults=dict(first_name="Bench", last_name=f"MASH {n:02d}", team=team,
                      job_title=Role(role).label, is_manager=role == Role.MASH_MANAGER),
    )
    if made:
        user.set_unusable_password()
        user.save()
        UserRole.objects.create(user=user, role=role)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="phone",
                                                 defaults={"confirmed": True})
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["signed_in_at"] = timezone.now().isoformat()  # as a sign-in leaves it
    session.create()
    sessions.append(session.session_key)

cases = MashCase.objects.filter(hub=hub)
total = cases.count()
rng = random.Random(1)
ids = list(cases.values_list("pk", flat=True))
sample = rng.sample(ids, min(5000, len(ids)))
pages = -(-total // 50)

# In-process, as a check without the web server: the selectors the pages call.
worker = User.objects.get(username="bench.mash.00")
web = Via(Channel.WEB, "127.0.0.1")
def timed(call, times=40):
    ms = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        ms.append((time.perf_counter() - started) * 1000)
    ms.sort()
    return {"p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1), "calls": len(ms)}
Open, All = selectors.QueueFilter(), selectors.QueueFilter(state="all")
in_process = {
    "queue": timed(lambda: selectors.mash_queue(user=worker, filters=Open, page=1)),
    "queue_all_pages": timed(lambda: selectors.mash_queue(
        user=worker, filters=All, page=rng.randint(1, pages))),
    "case": timed(lambda: selectors.case_get(user=worker, case_id=rng.choice(sample), via=web)),
}
queries = {}
for name, filters, page in (("queue", Open, 1), ("queue_all_pages", All, pages // 2)):
    with CaptureQueriesContext(connection) as captured:
        selectors.mash_queue(user=worker, filters=filters, page=page)
    queries[name] = [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]}
                     for q in captured.captured_queries]
slowest = max((q for qs in queries.values() for q in qs), key=lambda q: q["ms"])
with connection.cursor() as cursor:
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
    plan = "\n".join(row[0] for row in cursor.fetchall())
print(json.dumps({
    "sessions": sessions, "cases": total, "open": cases.filter(state__in=OPEN_STATES).count(),
    "contacts": Contact.objects.filter(hub=hub).count(),
    "sample": sample, "pages": pages, "in_process": in_process, "queries": queries,
    "slowest_plan": {"sql": slowest["sql"], "ms": slowest["ms"], "plan": plan},
}))
"""


def _exists(base: str, name: str) -> bool:
    url = base.rsplit("/", 1)[0] + f"/{name}"
    try:
        with psycopg.connect(url) as db:
            return db.execute("select to_regclass('mash_mashcase') is not null").fetchone()[0]
    except psycopg.OperationalError:
        return False


def _analyse(database: str) -> None:
    """Table statistics, as autovacuum would gather them after a load this size (this
    server may run with autovacuum off: the planner then guesses from empty tables)."""
    with psycopg.connect(database, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def _seeded(env: dict[str, str], children: int, contacts: int) -> dict[str, float]:
    """`tellonce seed` of the borough and its MASH's year; the seconds each took."""
    started = time.perf_counter()
    out = run_command(
        [sys.executable, "-m", "tellonce.cli", "seed", "--children", str(children),
         "--mash-contacts", str(contacts)],
        env,
    )  # fmt: skip
    history = re.search(r"^MASH history: .*\(([\d.]+) s\)$", out, re.M)
    return {
        "seed_seconds": round(time.perf_counter() - started, 1),
        "mash_history_seconds": float(history.group(1)) if history else float("nan"),
    }


def _visit(sample: list[int], pages: int, mix: dict[str, float]) -> Any:
    names, shares = list(mix), list(mix.values())

    def visit(rng: Any) -> tuple[str, str]:
        name = rng.choices(names, shares)[0]
        if name == "queue":
            return name, "/mash/"
        if name == "queue_all_pages":
            return name, f"/mash/?state=all&page={rng.randint(1, pages)}"
        return name, f"/mash/cases/{rng.choice(sample)}/"

    return visit


def _warm(url: str, cookie: str, visit: Any) -> None:
    """A few pages of each kind first, one after another: every worker's code paths
    loaded and templates compiled before the clock starts."""
    import random
    import urllib.request

    rng = random.Random(0)
    for _ in range(10 * web_workers()):
        _, path = visit(rng)
        request = urllib.request.Request(  # noqa: S310 (http on loopback)
            url + path, headers={"Cookie": f"sessionid={cookie}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            response.read()


def run(
    users: int, seconds: int, children: int, contacts: int, reuse: bool, mix: dict[str, float]
) -> dict[str, Any]:
    base = server_url()
    reused = reuse and _exists(base, DATABASE)
    database = base.rsplit("/", 1)[0] + f"/{DATABASE}" if reused else database_reset(base, DATABASE)
    with tempfile.TemporaryDirectory(prefix="tellonce-mash-bench-") as var_dir:
        env = bench_env(var_dir, database)
        migrate(env)
        seeding = {} if reused else _seeded(env, children, contacts)
        _analyse(database)
        setup = run_command([sys.executable, "-c", SETUP, str(users)], env)
        made = json.loads(setup.strip().splitlines()[-1])
        visit = _visit(made["sample"], made["pages"], mix)
        with served(env) as url:
            page_reached(url + "/mash/", made["sessions"][0], "queue")
            _warm(url, made["sessions"][0], visit)
            pages = users_reading(url, made["sessions"], users, seconds, visit)
            timings_present(pages)
    measured = [
        pages[n]["p95_ms"] for n in ("queue", "queue_all_pages") if "p95_ms" in pages.get(n, {})
    ]
    queue_p95 = max(measured, default=None)
    return {
        "benchmark": "MASH queue and case pages",
        "database": "postgresql",
        "children": children,
        "contacts": made["contacts"],
        "cases": made["cases"],
        "open_cases": made["open"],
        "queue_pages_of_the_year": made["pages"],
        **seeding,
        "concurrent_users": users,
        "seconds": seconds,
        "think_time_s": list(THINK_S),
        "page_mix": mix,
        "web_workers": web_workers(),
        "pages": pages,
        "queue_p95_ms": queue_p95,
        "queue_target_p95_ms": QUEUE_TARGET_MS,
        "queue_within_target": queue_p95 is not None and queue_p95 < QUEUE_TARGET_MS,
        "selectors_in_process": made["in_process"],
        "queue_queries": made["queries"],
        "slowest_queue_query": made["slowest_plan"],
        "notes": [
            "The load generator (50 threads of this process) and the server share the"
            " same two cores, as in the child-page benchmark.",
            "Each user is a different MASH member with their own session; every case view"
            " writes an audit event, as in use.",
            "Seed times are the whole `tellonce seed` (borough and MASH year) and, from"
            " its progress line, the MASH year alone. VACUUM ANALYZE runs after the seed,"
            " as autovacuum would.",
        ],
        "machine": machine(),
        "measured_on": measured_now(),
    }


def _report(result: dict[str, Any]) -> str:
    lines = [
        "# MASH queue and case pages under load",
        "",
        f"PostgreSQL; {result['children']:,} children, {result['contacts']:,} contacts"
        f" ({result['cases']:,} cases, {result['open_cases']:,} open);"
        f" {result['concurrent_users']} concurrent MASH users thinking"
        f" {result['think_time_s'][0]:g}-{result['think_time_s'][1]:g} s between pages for"
        f" {result['seconds']} s; {result['web_workers']} gunicorn workers;"
        f" {result['machine']['cores']} cores. Measured {result['measured_on']}.",
        "",
    ]
    if "mash_history_seconds" in result:
        lines += [
            f"Seed: the MASH's year in {result['mash_history_seconds']} s"
            f" (whole `tellonce seed` {result['seed_seconds']} s).",
            "",
        ]
    lines += [
        "| Page | p50 ms | p95 ms | p99 ms | requests | errors |",
        "|---|---|---|---|---|---|",
    ]
    for name, page in result["pages"].items():
        lines.append(
            f"| {name} | {page.get('p50_ms', '')} | {page.get('p95_ms', '')} |"
            f" {page.get('p99_ms', '')} | {page['requests']} | {page['errors']} |"
        )
    verdict = "within" if result["queue_within_target"] else "MISSES"
    lines += [
        "",
        f"Queue p95 {result['queue_p95_ms']} ms: {verdict} the target of"
        f" {result['queue_target_p95_ms']} ms.",
        "",
        "In-process (selectors only, no web server):",
        "",
    ]
    for name, figures in result["selectors_in_process"].items():
        lines.append(f"- {name}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms")
    slowest = result["slowest_queue_query"]
    lines += [
        "",
        f"The queue's slowest query ({slowest['ms']} ms):",
        "",
        "```sql",
        slowest["sql"],
        "```",
        "",
        "```",
        slowest["plan"],
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--children", type=int, default=57_000)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--reuse-database", action="store_true")
    parser.add_argument(
        "--pages",
        default=",".join(name for name, _ in MIX),
        help="Which pages the users read, in the usual proportions (default all three).",
    )
    options = parser.parse_args(argv)
    chosen = options.pages.split(",")
    mix = {name: share for name, share in MIX if name in chosen}
    result = run(
        options.users,
        options.seconds,
        options.children,
        options.contacts,
        options.reuse_database,
        {name: round(share / sum(mix.values()), 2) for name, share in mix.items()},
    )
    # A run of some of the pages only is a diagnosis: it does not replace the figures.
    path = RESULTS if len(mix) == len(MIX) else RESULTS.with_stem("mash-" + "-".join(mix))
    results_write(path, result)
    path.with_suffix(".md").write_text(_report(result), encoding="utf-8")
    pages = ", ".join(f"{n} p95 {p.get('p95_ms')} ms" for n, p in result["pages"].items())
    print(f"MASH pages under {options.users} users: {pages} -> {path}")
    return result


if __name__ == "__main__":
    main()
