"""The main page of each role's day under load: home, the MASH queue, the child's record
and chronology, the inboxes and the worklists.

On PostgreSQL (a fresh database, `tellonce_bench_pages`, on the server DATABASE_URL
names or 127.0.0.1:5432), `tellonce seed` builds the demo borough (57,000 children, a
year of its MASH's contacts, missing episodes and Operation Encompass notifications) and
one child on the demo DSL's school roll is given a case-reviewed history: 12
involvements (the school's, the MASH's, health visiting's and nine more teams') and 500
chronology events from every agency. Then 50 people use the web server (gunicorn, as
`tellonce serve` runs it, with the child-page benchmark's harness), each signed in as
the demo login of their role with a session of their own; each reads a page, thinks 1
to 5 s, and reads the next, choosing among their role's pages (`ROLES`):

- MASH social workers (Sam): home, the MASH queue, the child's record and chronology;
- practitioners (Priya, a health visitor): home, their alerts, the record, chronology;
- school DSLs (Dana): home, Operation Encompass notifications, the record, chronology;
- the police MASH desk (Tom): home, the missing children police list, requests for
  information;
- return home interviewers (Rita): home, the return home interviews worklist;
- the health MASH lead (Hannah): the requests for information inbox.

Target: every page's p95 under 150 ms; the child's record page under 75 ms.

`--before REV` also serves the code of git revision REV (`git archive`, nothing in the
working tree changes) from a second server on the same database, with the same keys:
users then read each page from either server at random (the before figures are named
`<page>_before`), so the figures before and after a change come from one run, under one
load, each server carrying half of it.

Writes bench/results/pages.json and pages.md.

    .venv/bin/python bench/pages_bench.py [--users 50] [--seconds 180]
        [--children 57000] [--reuse-database] [--database NAME] [--before REV]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
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

RESULTS = Path(__file__).resolve().parent / "results" / "pages.json"
DATABASE = "tellonce_bench_pages"
REPOSITORY = Path(__file__).resolve().parent.parent
PORT, BEFORE_PORT = 8766, 8767
GIT, TAR = shutil.which("git") or "git", shutil.which("tar") or "tar"
PAGE_TARGET_MS = 150
RECORD_TARGET_MS = 75

#: Each role: its demo login, its share of the users, and its pages with their weights.
#: "{child}" is the case-reviewed child.
ROLES: dict[str, dict[str, Any]] = {
    "mash_worker": {
        "login": "sam.mash",
        "users": 14,
        "pages": {
            "home_mash_worker": ("/", 2),
            "queue": ("/mash/", 3),
            "record": ("/people/{child}/", 3),
            "chronology": ("/people/{child}/chronology/", 1),
        },
    },
    "practitioner": {
        "login": "priya.visitor",
        "users": 12,
        "pages": {
            "home_practitioner": ("/", 2),
            "alerts": ("/alerts/", 2),
            "record": ("/people/{child}/", 3),
            "chronology": ("/people/{child}/chronology/", 1),
        },
    },
    "school_dsl": {
        "login": "dana.dsl",
        "users": 10,
        "pages": {
            "home_school_dsl": ("/", 2),
            "encompass_notifications": ("/encompass/", 2),
            "record": ("/people/{child}/", 3),
            "chronology": ("/people/{child}/chronology/", 1),
        },
    },
    "police_desk": {
        "login": "tom.police",
        "users": 6,
        "pages": {
            "home_police_desk": ("/", 2),
            "missing_police": ("/missing/police/", 3),
            "requests_inbox": ("/mash/requests/", 1),
        },
    },
    "interviewer": {
        "login": "rita.rhi",
        "users": 4,
        "pages": {"home_interviewer": ("/", 1), "rhi_worklist": ("/missing/interviews/", 2)},
    },
    "health_desk": {
        "login": "hannah.health",
        "users": 4,
        "pages": {"requests_inbox": ("/mash/requests/", 1)},
    },
}

SETUP = r"""
import json, random, sys
from datetime import date, timedelta
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from tellonce.accounts.models import User
from tellonce.chronology.models import ChronologyEvent, EventKind, SYSTEM_KINDS
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.organisations.models import Service, Team

wanted = json.loads(sys.argv[1])  # {login: number of sessions}
users = {u.username: u for u in User.objects.filter(username__in=wanted)}
missing = set(wanted) - set(users)
if missing:
    raise SystemExit(f"the demo logins {sorted(missing)} are not seeded")
dana, sam, priya = users["dana.dsl"], users["sam.mash"], users["priya.visitor"]
# The case-reviewed child: the first on the demo DSL's school roll, given the MASH's,
# health visiting's and nine more teams' involvements (besides the school's and any the
# borough gave them) and 500 chronology events from every agency, as the child-page
# benchmark gives Jack.
school = Involvement.objects.current().filter(team=dana.team).order_by("pk").first()
child = school.person
# A reused database has them from the run that seeded it.
prepared = ChronologyEvent.objects.filter(person=child, source_system="Bench").exists()
def involved(team, capacity, days=0):
    Involvement.objects.create(person=child, team=team, capacity=capacity,
                               started_on=date(2025, 1, 1) + timedelta(days=days),
                               source_agency=team.agency, source_system="Bench",
                               confirmation=Confirmation.SYSTEM_OF_RECORD)
if not prepared:
    involved(sam.team, Capacity.MASH_ENQUIRY)
    involved(priya.team, Capacity.HEALTH_VISITING)
    capacities = [Capacity.GP, Capacity.CAMHS, Capacity.EARLY_HELP, Capacity.CHILD_IN_NEED,
                  Capacity.HOUSING, Capacity.YOUTH_JUSTICE, Capacity.VOLUNTARY_SERVICE,
                  Capacity.SCHOOL_NURSING, Capacity.POLICE_INVESTIGATION]
    agencies = [u.team.agency for u in (dana, sam, priya, users["tom.police"])]
    for i, capacity in enumerate(capacities):
        team = Team.objects.create(agency=agencies[i % len(agencies)], name=f"Bench team {i}",
                                   service=Service.EARLY_HELP, phone=f"020 7946 9{i:03d}",
                                   email=f"bench{i}@northbrook.example")
        involved(team, capacity, days=20 * i)
    kinds = [k for k in EventKind.values if k not in SYSTEM_KINDS]
    rng = random.Random(1)
    ChronologyEvent.objects.bulk_create([
        ChronologyEvent(person=child, kind=rng.choice(kinds),
                        occurred_on=date(2021, 1, 1) + timedelta(days=rng.randrange(2000)),
                        summary=f"Event {n}: what happened, as the recorder wrote it, a"
                                " sentence or two long, as in the chronologies case reviews"
                                " read.",
                        source_agency=rng.choice(agencies), source_system="Bench",
                        recorded_by_name="Bench recorder")
        for n in range(500)
    ])
# One signed-in session for each simulated user, as each person's own sign-in leaves it.
sessions = {}
for login, count in wanted.items():
    user = users[login]
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench phone",
                                                 defaults={"confirmed": True})
    sessions[login] = []
    for _ in range(count):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session["signed_in_at"] = timezone.now().isoformat()  # as a sign-in leaves it
        session.create()
        sessions[login].append(session.session_key)
print(json.dumps({"sessions": sessions, "child": str(child.pk),
                  "involvements": child.involvements.count(),
                  "events": ChronologyEvent.objects.filter(person=child).count()}))
"""


def _exists(base: str, name: str) -> bool:
    url = base.rsplit("/", 1)[0] + f"/{name}"
    try:
        with psycopg.connect(url) as db:
            return db.execute("select count(*) from borough_seedrun").fetchone()[0] > 0
    except psycopg.Error:
        return False


def _seed(env: dict[str, str], children: int) -> float:
    started = time.perf_counter()
    run_command([sys.executable, "-m", "tellonce.cli", "seed", "--children", str(children)], env)
    return round(time.perf_counter() - started, 1)


def _analyse(database: str) -> None:
    """Table statistics, as autovacuum would gather them after a load this size."""
    with psycopg.connect(database, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def _roles_without(skipped: tuple[str, ...]) -> None:
    """`ROLES` without the pages whose names start with `skipped`, and without the
    roles left with no page (their users go to the others, in proportion)."""
    for name in list(ROLES):
        pages = {p: v for p, v in ROLES[name]["pages"].items() if not p.startswith(skipped)}
        if pages:
            ROLES[name] = {**ROLES[name], "pages": pages}
        else:
            del ROLES[name]


def _user_roles(users: int) -> list[str]:
    """Each simulated user's role, in the shares `ROLES` gives (for 50 users, exactly)."""
    total = sum(role["users"] for role in ROLES.values())
    shares = {name: max(1, round(role["users"] * users / total)) for name, role in ROLES.items()}
    roles = [name for name, count in shares.items() for _ in range(count)]
    return (roles * (users // len(roles) + 1))[:users]


@contextmanager
def _before_served(env: dict[str, str], revision: str) -> Iterator[tuple[str, str]]:
    """The code of `revision`, exported to a temporary directory, served on
    BEFORE_PORT from the same database and keys; yields its URL and full commit."""
    commit = subprocess.run(
        [GIT, "-C", str(REPOSITORY), "rev-parse", "--verify", f"{revision}^{{commit}}"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="tellonce-bench-before-") as code:
        archive = subprocess.run(
            [GIT, "-C", str(REPOSITORY), "archive", commit, "src"],
            check=True, capture_output=True,
        ).stdout  # fmt: skip
        subprocess.run([TAR, "-x", "-C", code], input=archive, check=True)
        before_env = {**env, "PYTHONPATH": str(Path(code) / "src")}
        with served(before_env, port=BEFORE_PORT) as url:
            yield url, commit


def _visit_of_user(role_of: list[str], child: str, before_url: str | None) -> Any:
    """User n's next page, among their role's, by weight; with a server of the code
    before, each page from either server at random, so both carry the same load."""

    def visit_of_user(number: int) -> Any:
        role = ROLES[role_of[number]]
        names = list(role["pages"])
        weights = [role["pages"][name][1] for name in names]

        def visit(rng: random.Random) -> tuple[str, str]:
            name = rng.choices(names, weights)[0]
            path = role["pages"][name][0].format(child=child)
            if before_url and rng.random() < 0.5:
                return f"{name}_before", before_url + path
            return name, path

        return visit

    return visit_of_user


def run(
    users: int,
    seconds: int,
    children: int,
    reuse: bool,
    database_name: str,
    before: str | None,
) -> dict[str, Any]:
    load_before = os.getloadavg()
    base = server_url()
    reused = reuse and _exists(base, database_name)
    if reused:
        database = base.rsplit("/", 1)[0] + f"/{database_name}"
    else:
        database = database_reset(base, database_name)
    role_of = _user_roles(users)
    wanted = {ROLES[name]["login"]: role_of.count(name) for name in ROLES if name in role_of}
    # A reused database keeps its keys in the var directory of the run that seeded it.
    var_root = Path(tempfile.gettempdir()) / f"tellonce-pages-bench-{database_name}"
    var_root.mkdir(exist_ok=True)
    env = bench_env(str(var_root), database)
    migrate(env)
    seed_seconds = None if reused else _seed(env, children)
    _analyse(database)
    setup = run_command([sys.executable, "-c", SETUP, json.dumps(wanted)], env)
    made = json.loads(setup.strip().splitlines()[-1])
    sessions: dict[str, list[str]] = made["sessions"]
    cookies = []
    taken = {login: 0 for login in sessions}
    for name in role_of:
        login = ROLES[name]["login"]
        cookies.append(sessions[login][taken[login]])
        taken[login] += 1
    with ExitStack() as stack:
        url = stack.enter_context(served(env, port=PORT))
        servers = {"": url}
        commit = None
        if before:
            servers["_before"], commit = stack.enter_context(_before_served(env, before))
        # Every role's pages answer 200 to its sessions, on each server (which also
        # loads every code path and compiles every template before the clock starts).
        for role in ROLES.values():
            cookie = sessions[role["login"]][0]
            for page, (path, _) in role["pages"].items():
                for server in servers.values():
                    for _ in range(web_workers()):
                        page_reached(server + path.format(child=made["child"]), cookie, page)
        pages = users_reading(
            url,
            cookies,
            users,
            seconds,
            lambda rng: ("", ""),
            visit_of_user=_visit_of_user(role_of, made["child"], servers.get("_before")),
        )
        timings_present(pages)
    load_after = os.getloadavg()
    measured_after = {n: p for n, p in pages.items() if not n.endswith("_before")}
    worst = max(measured_after, key=lambda n: measured_after[n]["p95_ms"])
    record = pages["record"]["p95_ms"]
    return {
        "benchmark": "the main page of each role's day",
        "database": "postgresql",
        "children": children,
        "seed_seconds": seed_seconds,
        "reused_database": reused,
        "case_reviewed_child": {
            "involvements": made["involvements"],
            "chronology_events": made["events"],
        },
        "concurrent_users": users,
        "users_by_role": {name: role_of.count(name) for name in ROLES},
        "role_pages": {
            name: {
                page: {"path": path, "weight": weight}
                for page, (path, weight) in r["pages"].items()
            }
            for name, r in ROLES.items()
        },
        "seconds": seconds,
        "think_time_s": list(THINK_S),
        "web_workers": web_workers(),
        "before_revision": commit,
        "pages": pages,
        "worst_page": worst,
        "worst_p95_ms": measured_after[worst]["p95_ms"],
        "page_target_p95_ms": PAGE_TARGET_MS,
        "every_page_within_target": measured_after[worst]["p95_ms"] < PAGE_TARGET_MS,
        "record_p95_ms": record,
        "record_target_p95_ms": RECORD_TARGET_MS,
        "record_within_target": record < RECORD_TARGET_MS,
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "notes": [
            f"Load: the machine's load average (1, 5, 15 min) was"
            f" {', '.join(f'{x:.2f}' for x in load_before)} before the run and"
            f" {', '.join(f'{x:.2f}' for x in load_after)} after it; other work sharing"
            f" its {os.cpu_count()} cores slows every figure.",
            "The load generator (threads of this process), the web server and PostgreSQL"
            " share the same cores.",
            "Every record and chronology view and every list of people writes an audit"
            " entry, as in use.",
            *(
                [
                    f"Pages named *_before were served by the code of {commit} (git archive),"
                    f" from a second server of {web_workers()} workers on the same database"
                    " and keys; each page a user read came from either server at random, so"
                    " each carried half the load and the figures before and after come from"
                    " the same minutes."
                ]
                if commit
                else []
            ),
        ],
        "machine": machine(),
        "measured_on": measured_now(),
    }


def _report(result: dict[str, Any]) -> str:
    lines = [
        "# The main page of each role's day under load",
        "",
        f"PostgreSQL; the demo borough ({result['children']:,} children, `tellonce seed`)"
        f" and a case-reviewed child ({result['case_reviewed_child']['involvements']}"
        f" involvements, {result['case_reviewed_child']['chronology_events']} chronology"
        f" events); {result['concurrent_users']} concurrent users (by role:"
        f" {', '.join(f'{n} {c}' for n, c in result['users_by_role'].items())}) thinking"
        f" {result['think_time_s'][0]:g}-{result['think_time_s'][1]:g} s between pages for"
        f" {result['seconds']} s; {result['web_workers']} gunicorn workers;"
        f" {result['machine']['cores']} cores; load average before"
        f" {result['load_average']['before'][0]}, after {result['load_average']['after'][0]}."
        f" Measured {result['measured_on']}.",
        "",
    ]
    pages = result["pages"]
    compared = result["before_revision"] is not None
    head = "| Page | p50 ms | p95 ms | p99 ms | pages a second | requests | errors |"
    if compared:
        head += f" before ({result['before_revision'][:7]}): p50, p95, p99 ms | requests |"
    lines += [head, "|---" * (head.count("|") - 1) + "|"]
    for name in sorted(n for n in pages if not n.endswith("_before")):
        page = pages[name]
        row = (
            f"| {name} | {page.get('p50_ms', '')} | {page.get('p95_ms', '')} |"
            f" {page.get('p99_ms', '')} | {page.get('requests_per_second', '')} |"
            f" {page['requests']} | {page['errors']} |"
        )
        if compared:
            was = pages.get(f"{name}_before", {})
            row += (
                f" {was.get('p50_ms', '')}, {was.get('p95_ms', '')}, {was.get('p99_ms', '')} |"
                f" {was.get('requests', '')} |"
            )
        lines.append(row)
    within = "within" if result["every_page_within_target"] else "MISSES"
    record = "within" if result["record_within_target"] else "MISSES"
    lines += [
        "",
        f"Slowest page: {result['worst_page']}, p95 {result['worst_p95_ms']} ms: {within}"
        f" the target of {result['page_target_p95_ms']} ms for every page.",
        f"The child's record page: p95 {result['record_p95_ms']} ms: {record} its target of"
        f" {result['record_target_p95_ms']} ms.",
        "",
        *(f"- {note}" for note in result["notes"]),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--children", type=int, default=57_000)
    parser.add_argument("--reuse-database", action="store_true")
    parser.add_argument("--database", default=DATABASE, help="the database to (re)create")
    parser.add_argument(
        "--before", metavar="REV", help="also serve git revision REV's code, for comparison"
    )
    parser.add_argument(
        "--skip",
        default="",
        metavar="PAGES",
        help="leave out the pages whose names start with these (comma-separated): a"
        " diagnosis, written to pages-without-<PAGES>.json and .md",
    )
    options = parser.parse_args(argv)
    skipped = tuple(name for name in options.skip.split(",") if name)
    results = RESULTS
    if skipped:
        _roles_without(skipped)
        results = RESULTS.with_stem("pages-without-" + "-".join(skipped))
    result = run(
        options.users,
        options.seconds,
        options.children,
        options.reuse_database,
        options.database,
        options.before,
    )
    results_write(results, result)
    results.with_suffix(".md").write_text(_report(result), encoding="utf-8")
    pages = ", ".join(f"{n} p95 {p.get('p95_ms')} ms" for n, p in sorted(result["pages"].items()))
    print(f"pages under {options.users} users: {pages} -> {results}")
    return result


if __name__ == "__main__":
    main()
