"""Seeding the synthetic borough: `borough_seed()`, which `tellonce seed` calls.

Owns the whole seed in one transaction: the partnership, the demo logins and system
accounts, the generated people, a year of the MASH's contacts about them (see
`borough.mash`), the `SeedRun`, and the linkage ground truth and summary
under `VAR_DIR/seed/` (written beside the database and moved into place only when the
transaction commits). Progress goes to a callback as counts and timings only: never a
name, date of birth or identifier.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from tellonce.accounts.models import User
from tellonce.borough import demo
from tellonce.borough.chronologies import chronology_history_seed
from tellonce.borough.earlyhelp import early_help_history_seed
from tellonce.borough.encompass import encompass_seed
from tellonce.borough.generator import COLUMNS, GROUND_TRUTH_COLUMNS, Borough, generate
from tellonce.borough.mash import (
    demo_contact_make,
    demo_contacts,
    mash_history_seed,
    working_moment,
)
from tellonce.borough.models import SeedRun
from tellonce.borough.organisations import partnership_ensure
from tellonce.borough.protocols import protocols_history_seed
from tellonce.core.bulk import rows_insert, sequences_reset
from tellonce.core.workdays import UK
from tellonce.organisations.models import Agency, Team
from tellonce.people.models import Address, AgencyRecord, Person

DEFAULT_CHILDREN = 57_000
DEFAULT_SEED = 1
#: Tables whose ids the generator chooses (other rows point at them before they exist).
EXPLICIT_IDS = ("people.Address", "people.AgencyRecord")


class SeedRefusedError(Exception):
    """The database holds something `tellonce seed` must not add a borough to."""


@dataclass
class SeedResult:
    run: SeedRun
    created: bool
    tokens: dict[str, str]


def seed_dir() -> Path:
    return Path(settings.VAR_DIR) / "seed"


def borough_seed(
    *,
    children: int = DEFAULT_CHILDREN,
    seed: int = DEFAULT_SEED,
    as_of: date | None = None,
    mash_contacts: int | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> SeedResult:
    """Seed the synthetic borough, or do nothing if this very borough is already here.
    `mash_contacts` is the MASH's contacts in the year before `as_of` (by default
    `mash.demo_contacts(children)`)."""
    if settings.TELLONCE_ENV == "production":
        raise SeedRefusedError(
            "The synthetic borough is for the demo, development and tests only; "
            "TELLONCE_ENV is production."
        )
    as_of = as_of or timezone.localdate()
    started = time.perf_counter()
    started_on = timezone.now()
    stamp = datetime.combine(as_of, clock(6, 0), tzinfo=UTC)
    _sqlite_tune()
    # The checks are inside the transaction: on SQLite it holds the write lock from the
    # start, so a second `tellonce seed` run at the same time waits, then finds this one.
    with transaction.atomic():
        existing = _existing_borough(children=children, seed=seed)
        if existing is not None:
            return SeedResult(run=existing, created=False, tokens=demo.system_tokens())
        partnership = partnership_ensure()
        progress(
            f"Partnership: {Agency.objects.count():,} agencies, {Team.objects.count():,} teams"
        )
        users = demo.demo_users_ensure(partnership)
        tokens = demo.system_accounts_ensure(partnership)
        progress(f"Logins: {len(users)} demo practitioners, {len(tokens)} system accounts")

        tick = time.perf_counter()
        borough = generate(
            partnership,
            children=children,
            seed=seed,
            as_of=as_of,
            first_address_id=_next_id(Address),
            first_record_id=_next_id(AgencyRecord),
            named_workers=_named_workers(users),
        )
        summary = borough.summary
        progress(
            f"Generated {summary['children']:,} children and {summary['adults']:,} adults,"
            f" {summary['agency_records']:,} agency records ({time.perf_counter() - tick:.1f} s)"
        )
        written = _write(borough, stamp=stamp, progress=progress)
        mash = _mash_seed(
            users,
            contacts=demo_contacts(children) if mash_contacts is None else mash_contacts,
            as_of=as_of,
            seed=seed,
            progress=progress,
        )
        if "erin.earlyhelp" in users and demo.demo_involvement_to_confirm(users["erin.earlyhelp"]):
            progress("Demo involvement: early help says it works with a pupil, to be confirmed")
        encompass = encompass_seed(as_of=as_of)
        tick = time.perf_counter()
        protocols = protocols_history_seed(children=children, as_of=as_of, seed=seed)
        progress(
            f"Missing and Encompass history: {protocols['episodes']:,} missing episodes,"
            f" {protocols['incidents']:,} domestic abuse incidents,"
            f" {protocols['notifications']:,} notifications ({time.perf_counter() - tick:.1f} s)"
        )
        tick = time.perf_counter()
        early_help = early_help_history_seed(children=children, as_of=as_of, seed=seed)
        progress(
            f"Early help history: {early_help['episodes']:,} episodes"
            f" ({early_help['from_mash']:,} from MASH decisions,"
            f" {early_help['from_practitioners']:,} from practitioners,"
            f" {early_help['from_system']:,} from the early help system),"
            f" {early_help['open']:,} open, {early_help['waiting']:,} waiting for a lead"
            f" ({early_help['escalated_waiting']:,} escalated), {early_help['handovers']:,}"
            f" handovers ({time.perf_counter() - tick:.1f} s)"
        )
        if "dana.dsl" in users and demo.demo_nobody_leads(users["dana.dsl"], on=as_of) is not None:
            progress("Demo: housing now works with a pupil of dana.dsl's school and nobody leads")
        if {"dana.dsl", "maria.manager", "tom.police"} <= users.keys():
            withdrawn = demo.demo_withdrawals(
                dsl=users["dana.dsl"], manager=users["maria.manager"], officer=users["tom.police"]
            )
            progress(
                f"Recorded in error and withdrawn: {withdrawn['contacts']} contact,"
                f" {withdrawn['incidents']} domestic abuse incident"
            )
        tick = time.perf_counter()
        chronology = chronology_history_seed(as_of=as_of, seed=seed)
        events = (
            chronology["events"]
            + mash.get("chronology_events", 0)
            + protocols.get("chronology_events", 0)
            + early_help.get("chronology_events", 0)
        )
        progress(
            f"Chronologies: {events:,} significant events from every agency"
            f" ({chronology['events']:,} of them from schools, health, the police, housing and"
            f" the involvement register, {time.perf_counter() - tick:.1f} s)"
        )
        run = SeedRun.objects.create(
            seed=seed,
            children=children,
            as_of=as_of,
            started_on=started_on,
            finished_on=timezone.now(),
            people=summary["people"],
            agency_records=summary["agency_records"],
            counts={
                "rows": written,
                "summary": summary,
                "mash": mash,
                "encompass": encompass,
                "protocols": protocols,
                "early_help": early_help,
                "chronology": chronology,
            },
        )
        files = _files_stage(borough, run)
        transaction.on_commit(lambda: _files_commit(files))
    _statistics_refresh()
    progress(f"Seeded in {time.perf_counter() - started:.1f} s")
    return SeedResult(run=run, created=True, tokens=tokens)


def _statistics_refresh() -> None:
    """After a bulk load, PostgreSQL's planner needs fresh table statistics (where
    autovacuum is off or has not caught up, it otherwise picks plans for empty tables)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _existing_borough(*, children: int, seed: int) -> SeedRun | None:
    """The seed run of this very borough if it is here; refuse anything else there."""
    existing = SeedRun.objects.first()
    if existing is not None:
        if (existing.children, existing.seed) == (children, seed):
            return existing
        raise SeedRefusedError(
            f"This database already holds a different synthetic borough ({existing.children:,}"
            f" children, seed {existing.seed}). To start afresh, run `make clean-demo` (it"
            " removes var/ and the SQLite database in it; on PostgreSQL, drop and create the"
            " database) and then migrate and seed again."
        )
    if Person.all_objects.exists():
        raise SeedRefusedError(
            "This database already holds people who are not from a synthetic borough: "
            "refusing to add made-up children beside them."
        )
    return None


def _write(borough: Borough, *, stamp: datetime, progress: Callable[[str], None]) -> dict[str, int]:
    written: dict[str, int] = {}
    for label, columns in COLUMNS.items():
        tick = time.perf_counter()
        written[label] = rows_insert(label, columns, borough.rows[label], stamp=stamp)
        progress(f"Wrote {label}: {written[label]:,} rows ({time.perf_counter() - tick:.1f} s)")
    sequences_reset(EXPLICIT_IDS)
    return written


def _mash_seed(
    users: dict[str, User],
    *,
    contacts: int,
    as_of: date,
    seed: int,
    progress: Callable[[str], None],
) -> dict[str, int]:
    """A year of the MASH's contacts, and the demo DSL's contact this morning."""
    tick = time.perf_counter()
    counts = mash_history_seed(contacts=contacts, as_of=as_of, seed=seed)
    progress(
        f"MASH history: {counts['contacts']:,} contacts, {counts['cases']:,} cases"
        f" ({counts['open_cases']:,} open, {counts['re_referrals']:,} re-referrals),"
        f" {counts['transitions']:,} transitions, {counts['information_requests']:,}"
        f" requests for information ({time.perf_counter() - tick:.1f} s)"
    )
    case = demo_contact_make(
        dsl=users["dana.dsl"],
        health_visitor=users["priya.visitor"],
        # "This morning", as the DSL wrote it: 09:40 on the last school day, whenever
        # the seed runs.
        received_on=working_moment(
            clock(9, 40),
            not_after=min(timezone.now(), datetime.combine(as_of, clock(23, 59), tzinfo=UK)),
        ),
    )
    if case is not None:
        progress("Demo contact: the school's DSL told the MASH about a pupil this morning")
    counts["demo_contact"] = int(case is not None)
    return counts


def _files_stage(borough: Borough, run: SeedRun) -> list[tuple[Path, Path]]:
    """Write the ground truth and summary beside their final names."""
    directory = seed_dir()
    directory.mkdir(parents=True, exist_ok=True)
    truth = directory / "ground_truth.csv"
    summary = directory / "summary.json"
    staged_truth = truth.with_suffix(".csv.partial")
    staged_summary = summary.with_suffix(".json.partial")
    with staged_truth.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(GROUND_TRUTH_COLUMNS)
        writer.writerows(borough.ground_truth)
    document: dict[str, Any] = {
        "seed": run.seed,
        "children_requested": run.children,
        "as_of": run.as_of.isoformat(),
        **borough.summary,
    }
    staged_summary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return [(staged_truth, truth), (staged_summary, summary)]


def _files_commit(files: list[tuple[Path, Path]]) -> None:
    for staged, final in files:
        os.replace(staged, final)


def _next_id(model: type[Address] | type[AgencyRecord]) -> int:
    return int(model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def _named_workers(users: dict[str, User]) -> dict[str, list[int]]:
    workers: dict[str, list[int]] = {}
    for username, team_key in demo.NAMED_WORKERS.items():
        workers.setdefault(team_key, []).append(users[username].pk)
    return workers


def _sqlite_tune() -> None:
    """A bigger page cache for the seed's connection: the indexes of a million rows
    stay in memory instead of being read back from disk."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only
