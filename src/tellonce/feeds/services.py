"""Receiving agency records: from feed files (`feed_import`, which `tellonce import`
calls) and one at a time from the API (`agency_record_receive`), both through the same
checks (`row_read`) and the same writing (`_land`); and turning what a linked record's
feed reported into the involvement register (`reported_involvements_materialise`).

What a feed row is. One row is one agency record (by the agency's own record id) and,
optionally, one involvement of the agency with that person: a record the agency works
with in several ways comes in several rows that repeat the person's details. A row
carries an involvement when it names a team; the team is named by its name within the
agency (as on the partnership's team list, case and spacing aside) since teams have no
other code agencies share with us; an unknown team is a problem with the row's `team`.
An involvement is known within its record by team, capacity and start date.

What importing does with a row:
- New record id: the record lands, unlinked (`link_method` "unlinked", no person).
- Known record id: the fields the source maps are compared (by content hash) with what
  is stored, and the record is updated only if one differs; fields the source does not
  map are left as they are; the link to a person is never touched here.
- Each written record and reported involvement keeps its provenance: the
  `FeedImport` (agency, system, file), the row number and when it was received. An
  unchanged row writes nothing, so importing the same file twice changes nothing.
- A row with any problem is skipped whole and the problem kept (row, field, reason:
  never the value). A byte the file's encoding cannot decode, or a NUL, is such a
  problem of its own row ("is not valid UTF-8 (byte 0xFF at position 3)"), never of
  the file.
- A record id on several rows with the same details is one record with several
  involvements or events. With other details, every one of those rows is reported
  ("is repeated on rows 3 and 5 with other details: none of these rows was taken")
  and none lands: which is right cannot be told, and taking the first would hide the
  rest. The same holds for an involvement (same team, capacity and start) repeated
  with another end, reason, worker or lead.

Whole or visibly partial. The file is read through once before anything is written
(`_feed_survey`): a file refused as a whole (not a feed's kind of file, a mapped
column missing, JSON that is not a list of records, unreadable) is refused then, and
a refused import has written no record. Rows are then written in batches, each batch
in one transaction with the import's counts and heartbeat: a row's record and
involvement land together or not at all, bad rows never hold back good ones, and
other users of the database (on SQLite, anyone writing) wait a fraction of a second
rather than for the whole file. An import that stops part way is marked "stopped
part way" with the counts of its written batches, audited, and its new records are
handed to linkage: by its own process when it can (an exception, ^C), otherwise, as
after `kill -9`, by the next import, `tellonce serve` starting or the clock, once its
heartbeat is three `FEED_HEARTBEAT_SECONDS` old (`mark_stopped_imports`). Running the
same file again completes it, the rows already written then counting as unchanged.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from tellonce.accounts.models import User
from tellonce.audit.models import Action, Channel
from tellonce.audit.services import Via, audit_record, audit_via
from tellonce.chronology.models import SYSTEM_KINDS, ChronologyEvent, EventKind
from tellonce.chronology.services import chronology_event_store
from tellonce.core.bulk import rows_insert
from tellonce.core.hooks import hooks_run
from tellonce.feeds.family import (
    FamilyFacts,
    family_land,
    family_read,
    reported_family_materialise,
)
from tellonce.feeds.mapping import (
    FIELD_CHECKS,
    ColumnMapping,
    FieldError,
    SourceFileError,
    read_rows,
)
from tellonce.feeds.models import (
    FeedImport,
    FeedRowProblem,
    ImportStatus,
    ReportedEvent,
    ReportedInvolvement,
)
from tellonce.involvements.models import Capacity, Involvement, capacity_problem
from tellonce.involvements.services import (
    involvement_start,
    lead_professional_problem,
    system_of_record_counts,
)
from tellonce.organisations.models import Agency, Team
from tellonce.people.models import AgencyRecord, Sex

#: Mapping fields that are the agency record's own details, and the attribute each
#: is stored in.
RECORD_FIELDS: dict[str, str] = {
    "given_name": "given_name",
    "middle_names": "middle_names",
    "family_name": "family_name",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "postcode": "postcode",
    "address": "address_line",
    "uprn": "uprn",
    "nhs_number": "nhs_number",
    "upn": "upn",
    "police_ref": "police_ref",
    "council_ref": "council_ref",
    "national_id": "national_id",
}
RECORD_ATTRS: tuple[str, ...] = tuple(RECORD_FIELDS.values())
#: Mapping fields that describe the agency's involvement with the person.
INVOLVEMENT_FIELDS: tuple[str, ...] = (
    "team",
    "capacity",
    "started_on",
    "ended_on",
    "end_reason",
    "practitioner",
    "lead_professional",
)
#: Mapping fields that describe a significant event, for the chronology.
EVENT_FIELDS: tuple[str, ...] = (
    "event_kind",
    "event_date",
    "event_time",
    "event_summary",
    "event_ref",
    "event_unscheduled",
)
#: Involvement details that make no sense without a team to say whose work it is.
_NEEDS_A_TEAM = ("started_on", "ended_on", "end_reason", "practitioner")
BATCH_ROWS = 2000
logger = logging.getLogger(__name__)
_SPACES = re.compile(r"\s+")


def command_line_operator() -> str:
    """Who ran a command, for the audit log: the operating system's user."""
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


class FeedRefusedError(Exception):
    """The feed cannot be imported as asked; the message says why and what to do."""


class RowOutcome(IntEnum):
    # Ordered: a row that created anything is new, else one that changed anything is
    # updated.
    UNCHANGED = 0
    UPDATED = 1
    NEW = 2


@dataclass(frozen=True)
class ReportedFacts:
    """One involvement as a row reports it."""

    team_id: int
    capacity: str
    started_on: date
    ended_on: date | None
    end_reason: str
    practitioner_name: str
    is_lead_professional: bool

    @property
    def key(self) -> tuple[int, str, date]:
        return (self.team_id, self.capacity, self.started_on)

    @property
    def details(self) -> tuple[date | None, str, str, bool]:
        return (self.ended_on, self.end_reason, self.practitioner_name, self.is_lead_professional)


@dataclass(frozen=True)
class ReportedEventFacts:
    """One significant event as a row reports it."""

    kind: str
    occurred_on: date
    occurred_at: time | None
    summary: str
    unscheduled: bool
    external_ref: str

    @property
    def key(self) -> tuple[Any, ...]:
        """What makes it the same event: the agency's id for it, or what it says."""
        if self.external_ref:
            return ("ref", self.external_ref)
        return ("said", self.kind, self.occurred_on, self.summary)

    @property
    def details(self) -> tuple[Any, ...]:
        return (self.kind, self.occurred_on, self.occurred_at, self.summary, self.unscheduled)


@dataclass
class ReceivedRow:
    """A checked row: the record's details (only the fields the source gives) and the
    involvement and the event it reports, if any."""

    number: int | None
    local_id: str
    record: dict[str, Any]
    involvement: ReportedFacts | None
    event: ReportedEventFacts | None = None
    family: FamilyFacts | None = None


@dataclass
class ImportCounts:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def add(self, outcomes: Iterable[RowOutcome]) -> None:
        for outcome in outcomes:
            if outcome is RowOutcome.NEW:
                self.new += 1
            elif outcome is RowOutcome.UPDATED:
                self.updated += 1
            else:
                self.unchanged += 1


def _key(name: str) -> str:
    return _SPACES.sub(" ", name).strip().casefold()


@dataclass
class AgencyDirectory:
    """What a row may name within one agency: its teams, and their named workers."""

    agency: Agency
    teams: dict[str, int]
    #: (team id, name) -> the one user of that name in the team; None when several are.
    workers: dict[tuple[int, str], int | None]
    #: team id -> (its name, its service): what work it may record.
    services: dict[int, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, agency: Agency) -> AgencyDirectory:
        # Archived teams too: a feed may report an ended involvement of a closed team.
        found = Team.all_objects.filter(agency=agency).values_list("pk", "name", "service")
        teams = {_key(name): pk for pk, name, _ in found}
        return cls(
            agency=agency,
            teams=teams,
            workers=_workers(teams.values()),
            services={pk: (name, service) for pk, name, service in found},
        )

    def capacity_problem(self, team_id: int, capacity: str) -> str:
        """Why this team may not record this work (`CAPACITIES_BY_SERVICE`), or nothing."""
        if team_id not in self.services:
            return ""
        name, service = self.services[team_id]
        return capacity_problem(
            service=service, agency_kind=self.agency.kind, team_name=name, capacity=capacity
        )

    def worker(self, team_id: int, name: str) -> int | None:
        return self.workers.get((team_id, _key(name))) if name else None


def _workers(team_ids: Iterable[int]) -> dict[tuple[int, str], int | None]:
    workers: dict[tuple[int, str], int | None] = {}
    users = User.objects.filter(team_id__in=list(team_ids), is_system_account=False)
    for pk, team_id, first, last in users.values_list("pk", "team_id", "first_name", "last_name"):
        key = (team_id, _key(f"{first} {last}"))
        # Two workers of one name in a team: we cannot tell which, so name neither.
        workers[key] = None if key in workers else pk
    return workers


# ----- checking a row


def row_read(
    values: Mapping[str, Any],
    *,
    given: Iterable[str],
    directory: AgencyDirectory,
    number: int | None = None,
    invalid: Iterable[str] = (),
) -> tuple[ReceivedRow | None, list[FieldError]]:
    """Turn a row's checked values (from `ColumnMapping.apply`) into a record and
    involvement, with every further problem: too long for us to keep, unknown team or
    capacity, an involvement without its team or start.

    `given` are the fields the source maps (unmapped fields are left as stored);
    `invalid` those the mapping already found a problem with, not to report twice."""
    skip = set(invalid)
    problems: list[FieldError] = []
    given = set(given)
    record: dict[str, Any] = {}
    for name, attr in RECORD_FIELDS.items():
        if name not in given or name in skip:
            continue
        value = values.get(name)
        if attr == "postcode" and value:
            value = _postcode_display(value)
        if value is None:
            value = None if attr == "date_of_birth" else Sex.UNKNOWN if attr == "sex" else ""
        problem = _too_long(AgencyRecord, attr, value)
        if problem:
            problems.append(FieldError(name, problem))
        record[attr] = value
    local_id = values.get("record_id") or ""
    if local_id and (problem := _too_long(AgencyRecord, "local_id", local_id)):
        problems.append(FieldError("record_id", problem))

    involvement = _involvement_read(values, directory, skip, problems)
    event = _event_read(values, skip, problems)
    family = family_read(values, local_id, skip, problems)
    if problems or "record_id" in skip or not local_id:
        return None, problems
    return ReceivedRow(number, local_id, record, involvement, event, family), problems


def _event_read(
    values: Mapping[str, Any], skip: set[str], problems: list[FieldError]
) -> ReportedEventFacts | None:
    if not any(values.get(name) is not None for name in EVENT_FIELDS):
        return None
    raw_kind = values.get("event_kind")
    kind = _EVENT_KINDS.get(_key(raw_kind)) if raw_kind else None
    if kind is None and "event_kind" not in skip:
        reason = "is missing" if raw_kind is None else "is not a kind of event we know"
        problems.append(FieldError("event_kind", reason))
    occurred_on = values.get("event_date")
    if occurred_on is None and "event_date" not in skip:
        problems.append(FieldError("event_date", "is missing: an event needs its date"))
    summary = values.get("event_summary") or ""
    if not summary and "event_summary" not in skip:
        problems.append(FieldError("event_summary", "is missing: say what happened"))
    elif len(summary) > 2000:
        problems.append(FieldError("event_summary", "is longer than 2000 characters"))
    external_ref = values.get("event_ref") or ""
    if len(external_ref) > 100:
        problems.append(FieldError("event_ref", "is longer than 100 characters"))
    unscheduled = bool(values.get("event_unscheduled"))
    if unscheduled and kind is not None and kind != EventKind.HEALTH_ATTENDANCE:
        problems.append(
            FieldError("event_unscheduled", "only a health attendance can be unscheduled care")
        )
    if kind is None or occurred_on is None or not summary or skip.intersection(EVENT_FIELDS):
        return None
    return ReportedEventFacts(
        kind=kind,
        occurred_on=occurred_on,
        occurred_at=values.get("event_time"),
        summary=summary,
        unscheduled=unscheduled,
        external_ref=external_ref,
    )


def _involvement_read(
    values: Mapping[str, Any],
    directory: AgencyDirectory,
    skip: set[str],
    problems: list[FieldError],
) -> ReportedFacts | None:
    team_name = values.get("team")
    if not team_name:
        if "team" not in skip:
            for name in _NEEDS_A_TEAM:
                if values.get(name) is not None:
                    problems.append(FieldError("team", f"is missing, but the row has {name}"))
                    break
        return None
    team_id = directory.teams.get(_key(team_name))
    if team_id is None:
        problems.append(FieldError("team", f"is not a team of {directory.agency.name}"))
    capacity = _capacity(values.get("capacity"))
    if capacity is None and "capacity" not in skip:
        reason = "is missing" if values.get("capacity") is None else "is not a capacity we know"
        problems.append(FieldError("capacity", reason))
    elif capacity is not None and team_id is not None:
        cannot = directory.capacity_problem(team_id, capacity)
        if cannot:
            problems.append(FieldError("capacity", f"is not allowed: {cannot}"))
    started_on = values.get("started_on")
    if started_on is None and "started_on" not in skip:
        problems.append(FieldError("started_on", "is missing: an involvement needs its start"))
    ended_on = values.get("ended_on")
    if started_on and ended_on and ended_on < started_on:
        problems.append(FieldError("ended_on", "is before started_on"))
    practitioner = values.get("practitioner") or ""
    if len(practitioner) > 200:
        problems.append(FieldError("practitioner", "is longer than 200 characters"))
    if (
        team_id is None
        or capacity is None
        or started_on is None
        or skip.intersection(INVOLVEMENT_FIELDS)
    ):
        return None
    return ReportedFacts(
        team_id=team_id,
        capacity=capacity,
        started_on=started_on,
        ended_on=ended_on,
        end_reason=values.get("end_reason") or "",
        practitioner_name=practitioner,
        is_lead_professional=bool(values.get("lead_professional")),
    )


_CAPACITIES = {_key(c.value): c.value for c in Capacity} | {
    _key(str(c.label)): c.value for c in Capacity
}


_EVENT_KINDS = {
    _key(name): kind.value
    for kind in EventKind
    if kind not in SYSTEM_KINDS
    for name in (kind.value, str(kind.label))
}


def _capacity(value: str | None) -> str | None:
    """A capacity by its TellOnce code or label ("health_visiting", "Health visiting")."""
    return _CAPACITIES.get(_key(value)) if value else None


def _columns(model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
    """A model's stored fields by attribute name (`feed_id` for the `feed` key)."""
    return {f.attname: f for f in model._meta.concrete_fields}


@functools.cache
def _limits(model: type[models.Model]) -> dict[str, int | None]:
    return {attr: f.max_length for attr, f in _columns(model).items()}


def _too_long(model: type[models.Model], attr: str, value: Any) -> str | None:
    limit = _limits(model)[attr]
    if limit and isinstance(value, str) and len(value) > limit:
        return f"is longer than the {limit} characters we keep"
    return None


def _postcode_display(postcode: str) -> str:
    """Checked postcodes come without spaces; keep them as written and as seeded:
    outward code, space, inward code."""
    return f"{postcode[:-3]} {postcode[-3:]}"


def record_content_hash(record: Mapping[str, Any]) -> str:
    """A digest of an agency record's details, in `RECORD_ATTRS` order, spacing aside:
    feeds collapse runs of spaces, and a record stored with them (the seed's doubled
    letters can be spaces) is not changed by a row that differs only there."""
    parts = []
    for attr in RECORD_ATTRS:
        value = record.get(attr)
        parts.append(
            value.isoformat() if isinstance(value, date) else " ".join(str(value or "").split())
        )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# ----- writing rows


@dataclass
class _RecordState:
    id: int | None
    person_id: Any
    values: dict[str, Any]
    hash: str
    changed_by: ReceivedRow | None = None


@dataclass
class _Landing:
    """Where a batch's rows are going: who sent them, from which feed, and when."""

    agency: Agency
    system: str
    directory: AgencyDirectory
    feed: FeedImport | None
    received_on: datetime
    user: User | None
    touched_linked: set[int] = field(default_factory=set)


def _land(rows: Sequence[ReceivedRow], landing: _Landing) -> tuple[list[RowOutcome], list[int]]:
    """Write a batch of checked rows; each row's outcome and its record's id. Runs in
    the caller's transaction."""
    # The contacts a row names are records of their own, landed with it.
    contacts = [
        ReceivedRow(row.number, contact.local_id, _contact_record(contact.record), None)
        for row in rows
        if row.family is not None
        for contact in row.family.contacts
    ]
    records, outcomes = _records_land([*rows, *contacts], landing)
    outcomes = outcomes[: len(rows)]
    ids = [records[row.local_id].id or 0 for row in rows]
    involved = [(i, ids[i], row) for i, row in enumerate(rows) if row.involvement is not None]
    linked = {s.id for s in records.values() if s.person_id is not None}
    for i, outcome in _involvements_land(involved, linked, landing).items():
        outcomes[i] = max(outcomes[i], outcome)
    evented = [(i, ids[i], row) for i, row in enumerate(rows) if row.event is not None]
    for i, outcome in _events_land(evented, linked, landing).items():
        outcomes[i] = max(outcomes[i], outcome)
    said = [
        (i, ids[i], row.family, row.number) for i, row in enumerate(rows) if row.family is not None
    ]
    for i in family_land(
        said, feed_id=landing.feed.pk if landing.feed else None, received_on=landing.received_on
    ):
        outcomes[i] = max(outcomes[i], RowOutcome.UPDATED)
        if ids[i] in linked:
            landing.touched_linked.add(ids[i])
    for record in AgencyRecord.objects.filter(pk__in=landing.touched_linked):
        reported_involvements_materialise(agency_record=record)
        reported_events_materialise(agency_record=record)
        reported_family_materialise(agency_record=record)
    landing.touched_linked.clear()
    return outcomes, ids


def _contact_record(details: dict[str, Any]) -> dict[str, Any]:
    if details.get("postcode"):
        return details | {"postcode": _postcode_display(details["postcode"])}
    return details


def _records_land(
    rows: Sequence[ReceivedRow], landing: _Landing
) -> tuple[dict[str, _RecordState], list[RowOutcome]]:
    """Insert new records and update changed ones: each record's state by local id,
    with its id, and each row's outcome for its record."""
    states = _records_stored(landing, {row.local_id for row in rows})
    outcomes: list[RowOutcome] = []
    for row in rows:
        state = states.get(row.local_id)
        if state is None:
            values = _record_defaults() | row.record
            state = states[row.local_id] = _RecordState(
                None, None, values, record_content_hash(values), changed_by=row
            )
            outcome = RowOutcome.NEW
        else:
            values = state.values | row.record
            digest = record_content_hash(values)
            if digest == state.hash:
                outcome = RowOutcome.UNCHANGED
            else:
                state.values, state.hash, state.changed_by = values, digest, row
                outcome = RowOutcome.UPDATED if state.id is not None else RowOutcome.NEW
        outcomes.append(outcome)

    new = {local_id: s for local_id, s in states.items() if s.id is None}
    changed = [s for s in states.values() if s.id is not None and s.changed_by is not None]
    if new:
        _records_insert(new, landing)
    if changed:
        _records_update(changed, landing)
    return states, outcomes


def _record_defaults() -> dict[str, Any]:
    return {attr: None if attr == "date_of_birth" else "" for attr in RECORD_ATTRS} | {
        "sex": Sex.UNKNOWN
    }


def _records_stored(landing: _Landing, local_ids: set[str]) -> dict[str, _RecordState]:
    found = AgencyRecord.objects.filter(
        agency=landing.agency, system=landing.system, local_id__in=local_ids
    ).values("id", "local_id", "person_id", "content_hash", *RECORD_ATTRS)
    states = {}
    for stored in found:
        values = {attr: stored[attr] for attr in RECORD_ATTRS}
        # Seeded records, and any written before feeds kept a hash, are hashed here.
        digest = stored["content_hash"] or record_content_hash(values)
        states[stored["local_id"]] = _RecordState(stored["id"], stored["person_id"], values, digest)
    return states


_PROVENANCE = ("feed_id", "feed_row", "received_on", "content_hash", "modified_by_id")


def _provenance(state: _RecordState, landing: _Landing) -> tuple[Any, ...]:
    row = state.changed_by
    return (
        landing.feed.pk if landing.feed else None,
        row.number if row else None,
        landing.received_on,
        state.hash,
        landing.user.pk if landing.user else None,
    )


def _records_insert(new: dict[str, _RecordState], landing: _Landing) -> None:
    columns = ("agency_id", "system", "local_id", *RECORD_ATTRS, *_PROVENANCE, "created_by_id")
    user_id = landing.user.pk if landing.user else None
    rows_insert(
        "people.AgencyRecord",
        columns,
        [
            (
                landing.agency.pk,
                landing.system,
                local_id,
                *(state.values[attr] for attr in RECORD_ATTRS),
                *_provenance(state, landing),
                user_id,
            )
            for local_id, state in new.items()
        ],
        stamp=timezone.now(),
    )
    ids = AgencyRecord.objects.filter(
        agency=landing.agency, system=landing.system, local_id__in=list(new)
    ).values_list("local_id", "id")
    for local_id, pk in ids:
        new[local_id].id = pk


def _records_update(changed: list[_RecordState], landing: _Landing) -> None:
    columns = (*RECORD_ATTRS, *_PROVENANCE, "modified_on")
    now = timezone.now()
    rows_update(
        AgencyRecord,
        columns,
        [
            (
                state.id,
                *(state.values[attr] for attr in RECORD_ATTRS),
                *_provenance(state, landing),
                now,
            )
            for state in changed
        ],
    )


def rows_update(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Update `columns` (attribute names) of many rows at once: each row is the primary
    key followed by the values. The companion of the seed's `rows_insert`: one prepared
    UPDATE run for every row, rather than the ORM's statement per object."""
    stored = _columns(model)
    targets = [stored[name] for name in columns]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in targets)
    pk = model._meta.pk
    assert pk is not None
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(str(pk.column))} = %s"  # noqa: S608 (names from model metadata)
    )
    prepared = [
        (
            *(
                f.get_db_prep_save(value, connection)
                for f, value in zip(targets, row[1:], strict=True)
            ),
            row[0],
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


# ----- involvements


@dataclass
class _Reported:
    id: int | None
    record_id: int
    facts: ReportedFacts
    involvement_id: int | None
    changed_by: int | None = None  # the row's position in the batch


def _involvements_land(
    involved: list[tuple[int, int, ReceivedRow]], linked: set[int | None], landing: _Landing
) -> dict[int, RowOutcome]:
    """Insert and update the reported involvements of a batch: `involved` holds each
    row with an involvement, its position in the batch and its record's id; `linked`
    the ids of records linked to a person. Returns each such row's outcome."""
    if not involved:
        return {}
    # Only involvements of linked records become register entries, so only those are
    # looked for in the register and materialised.
    record_ids = {record_id for _, record_id, _ in involved}
    reported = _reported_stored(record_ids)
    # Seeded records, and records linked before feeds kept reported involvements, have
    # their involvements in the register only: a row saying the same changes nothing.
    registered = _registered(
        record_ids & linked,
        exclude={s.involvement_id for s in reported.values() if s.involvement_id},
    )
    outcomes: dict[int, RowOutcome] = {}
    for position, record_id, row in involved:
        facts = row.involvement
        assert facts is not None
        key = (record_id, *facts.key)
        state = reported.get(key)
        if state is not None:
            if state.facts.details == facts.details:
                outcomes[position] = RowOutcome.UNCHANGED
                continue
            state.facts, state.changed_by = facts, position
            outcomes[position] = RowOutcome.UPDATED if state.id else RowOutcome.NEW
        elif key in registered:
            involvement_id, details = registered[key]
            worker = landing.directory.worker(facts.team_id, facts.practitioner_name)
            said = (facts.ended_on, facts.end_reason, worker, facts.is_lead_professional)
            if said == details:
                outcomes[position] = RowOutcome.UNCHANGED
                continue
            reported[key] = _Reported(None, record_id, facts, involvement_id, position)
            outcomes[position] = RowOutcome.UPDATED
        else:
            reported[key] = _Reported(None, record_id, facts, None, position)
            outcomes[position] = RowOutcome.NEW
        if record_id in linked:
            landing.touched_linked.add(record_id)

    numbers = {position: row.number for position, _, row in involved}
    written = [s for s in reported.values() if s.changed_by is not None]
    _reported_insert([s for s in written if s.id is None], numbers, landing)
    _reported_update([s for s in written if s.id is not None], numbers, landing)
    return outcomes


def _reported_stored(record_ids: set[int]) -> dict[tuple[int, int, str, date], _Reported]:
    facts = [f.name for f in fields(ReportedFacts)]
    found = ReportedInvolvement.objects.filter(agency_record_id__in=record_ids).values(
        "id", "agency_record_id", "involvement_id", *facts
    )
    stored = {}
    for row in found:
        reported = _Reported(
            row["id"],
            row["agency_record_id"],
            ReportedFacts(**{name: row[name] for name in facts}),
            row["involvement_id"],
        )
        stored[(reported.record_id, *reported.facts.key)] = reported
    return stored


def _registered(
    record_ids: set[int], *, exclude: set[int]
) -> dict[tuple[int, int, str, date], tuple[int, tuple[Any, ...]]]:
    if not record_ids:
        return {}
    # Archived entries too: one a practitioner archived is not sent back in by a feed.
    found = (
        Involvement.all_objects.filter(source_record_id__in=record_ids)
        .exclude(pk__in=exclude)
        .values_list(
            "id",
            "source_record_id",
            "team_id",
            "capacity",
            "started_on",
            "ended_on",
            "end_reason",
            "practitioner_id",
            "is_lead_professional",
        )
    )
    return {
        (record_id, team_id, capacity, started_on): (pk, tuple(details))
        for pk, record_id, team_id, capacity, started_on, *details in found
    }


_REPORTED_COLUMNS = (
    "team_id",
    "capacity",
    "started_on",
    "ended_on",
    "end_reason",
    "practitioner_name",
    "is_lead_professional",
)


def _reported_values(
    state: _Reported, numbers: Mapping[int, int | None], landing: _Landing
) -> tuple[Any, ...]:
    facts = state.facts
    assert state.changed_by is not None
    return (
        facts.team_id,
        facts.capacity,
        facts.started_on,
        facts.ended_on,
        facts.end_reason,
        facts.practitioner_name,
        facts.is_lead_professional,
        landing.received_on,
        landing.feed.pk if landing.feed else None,
        numbers[state.changed_by],
        landing.user.pk if landing.user else None,
    )


def _reported_insert(
    new: list[_Reported], numbers: Mapping[int, int | None], landing: _Landing
) -> None:
    if not new:
        return
    columns = (
        *_REPORTED_COLUMNS,
        "received_on",
        "feed_id",
        "feed_row",
        "modified_by_id",
        "agency_record_id",
        "involvement_id",
        "created_by_id",
    )
    user_id = landing.user.pk if landing.user else None
    rows = [
        (*_reported_values(s, numbers, landing), s.record_id, s.involvement_id, user_id)
        for s in new
    ]
    rows_insert("feeds.ReportedInvolvement", columns, rows, stamp=timezone.now())


def _reported_update(
    changed: list[_Reported], numbers: Mapping[int, int | None], landing: _Landing
) -> None:
    if not changed:
        return
    columns = (
        *_REPORTED_COLUMNS,
        "received_on",
        "feed_id",
        "feed_row",
        "modified_by_id",
        "modified_on",
    )
    now = timezone.now()
    rows_update(
        ReportedInvolvement,
        columns,
        [(s.id, *_reported_values(s, numbers, landing), now) for s in changed],
    )


def _events_land(
    evented: list[tuple[int, int, ReceivedRow]], linked: set[int | None], landing: _Landing
) -> dict[int, RowOutcome]:
    """Keep the events rows report (see `ReportedEvent`); each such row's outcome."""
    if not evented:
        return {}
    stored: dict[tuple[Any, ...], ReportedEvent] = {}
    for report in ReportedEvent.objects.filter(
        agency_record_id__in={record_id for _, record_id, _ in evented}
    ):
        stored[(report.agency_record_id, _event_facts(report).key)] = report
    outcomes: dict[int, RowOutcome] = {}
    new: list[ReportedEvent] = []
    for position, record_id, row in evented:
        facts = row.event
        assert facts is not None
        found = stored.get((record_id, facts.key))
        if found is None:
            report = ReportedEvent(
                agency_record_id=record_id,
                **_event_values(facts),
                external_ref=facts.external_ref,
                received_on=landing.received_on,
                feed=landing.feed,
                feed_row=row.number,
            )
            stored[(record_id, facts.key)] = report
            new.append(report)
            outcomes[position] = RowOutcome.NEW
        elif _event_facts(found).details == facts.details:
            outcomes[position] = RowOutcome.UNCHANGED
            continue
        else:
            changes = _event_values(facts)
            ReportedEvent.objects.filter(pk=found.pk).update(
                **changes, received_on=landing.received_on, feed=landing.feed, feed_row=row.number
            )
            if found.chronology_event_id:
                ChronologyEvent.all_objects.filter(pk=found.chronology_event_id).update(**changes)
            for name, value in changes.items():
                setattr(found, name, value)
            outcomes[position] = RowOutcome.UPDATED
        if record_id in linked:
            landing.touched_linked.add(record_id)
    ReportedEvent.objects.bulk_create(new, batch_size=BATCH_ROWS)
    return outcomes


def _event_values(facts: ReportedEventFacts) -> dict[str, Any]:
    return {
        "kind": facts.kind,
        "occurred_on": facts.occurred_on,
        "occurred_at": facts.occurred_at,
        "summary": facts.summary,
        "unscheduled": facts.unscheduled,
    }


def _event_facts(report: ReportedEvent) -> ReportedEventFacts:
    return ReportedEventFacts(
        kind=report.kind,
        occurred_on=report.occurred_on,
        occurred_at=report.occurred_at,
        summary=report.summary,
        unscheduled=report.unscheduled,
        external_ref=report.external_ref,
    )


def reported_events_materialise(*, agency_record: AgencyRecord) -> list[ChronologyEvent]:
    """Put the events a linked record's feed reported on its person's chronology, each
    once (idempotent); for an unlinked record, nothing. An unscheduled health attendance
    is checked for CP-IS."""
    if agency_record.person_id is None:
        return []
    written = []
    waiting = agency_record.reported_events.filter(chronology_event__isnull=True)
    for report in waiting.order_by("pk"):
        with transaction.atomic():
            event = chronology_event_store(
                ChronologyEvent(
                    person_id=agency_record.person_id,
                    **_event_values(_event_facts(report)),
                    external_ref=report.external_ref,
                    source_agency_id=agency_record.agency_id,
                    source_system=agency_record.system,
                    received_on=report.received_on,
                    recorded_by_name=agency_record.system,
                    source_record=agency_record,
                )
            )
            ReportedEvent.objects.filter(pk=report.pk).update(chronology_event=event)
        written.append(event)
    return written


def reported_involvements_materialise(*, agency_record: AgencyRecord) -> list[Involvement]:
    """Make what a linked record's feed reported into entries in the involvement
    register on its person, or bring them up to date; for an unlinked record, nothing.

    Idempotent: calling it again changes nothing. Linkage calls it after linking or
    relinking a record (an entry follows its record to the new person). The named
    worker becomes the entry's practitioner when exactly one member of the team has
    that name; otherwise the entry has none and the name stays on the reported one.
    An entry someone has archived stays archived."""
    if agency_record.person_id is None:
        return []
    entries: list[Involvement] = []
    reported = list(
        agency_record.reported_involvements.select_related("involvement", "modified_by__team")
    )
    workers = _workers({r.team_id for r in reported})
    for report in reported:
        worker = workers.get((report.team_id, _key(report.practitioner_name)))
        wanted: dict[str, Any] = {
            "person_id": agency_record.person_id,
            "team_id": report.team_id,
            "capacity": report.capacity,
            "started_on": report.started_on,
            "ended_on": report.ended_on,
            "end_reason": report.end_reason,
            "practitioner_id": worker,
            "is_lead_professional": report.is_lead_professional,
        }
        entry = report.involvement
        # One lead professional per child: while another holds it, the agency's work is
        # registered and its claim to lead stays on what the feed reported.
        if (
            wanted["is_lead_professional"]
            and wanted["ended_on"] is None
            and lead_professional_problem(agency_record.person_id, besides=entry and entry.pk)
        ):
            wanted["is_lead_professional"] = False
        if entry is None:
            entry = involvement_start(
                **wanted,
                source_agency_id=agency_record.agency_id,
                source_system=agency_record.system,
                received_on=report.received_on,
                source_record=agency_record,
                **system_of_record_counts(report.modified_by),
            )
            ReportedInvolvement.objects.filter(pk=report.pk).update(involvement=entry)
        elif not entry.is_archived and any(
            getattr(entry, name) != value for name, value in wanted.items()
        ):
            for name, value in wanted.items():
                setattr(entry, name, value)
            entry.received_on = report.received_on
            entry.save()
        entries.append(entry)
    return entries


# ----- a feed file


@dataclass(frozen=True)
class RowProblem:
    """A problem to show: row number, field (empty for the whole row) and reason."""

    row_number: int
    field: str
    reason: str


class FeedStoppedError(Exception):
    """The import stopped part way; the message says why. Whole batches are kept."""


#: How an import found stopped reaches the audit log when no command or page found it.
BACKGROUND = Via(Channel.TASK)
#: In the audit log, who marked an import stopped when its own process could not.
STOPPED_MARKER = "TellOnce (found the import stopped)"
#: Rows the survey reads between heartbeats.
_SURVEY_BEAT_ROWS = 5000
#: Other rows named in a repeated record id's problem; the rest are counted.
_ROWS_NAMED = 5


def feed_import(
    *,
    agency: Agency,
    path: Path,
    mapping: ColumnMapping,
    via: Via,
    imported_by: User | None = None,
    actor_label: str | None = None,
    on_rows: Callable[[int], None] = lambda n: None,
    on_problem: Callable[[RowProblem], None] = lambda p: None,
) -> FeedImport:
    """Import one agency system's feed file with its mapping (see the module docstring).

    Imports an earlier run left RUNNING with no heartbeat are first marked stopped part
    way (`mark_stopped_imports`). Raises `FeedRefusedError` when the mapping is not this
    agency's, or the file as a whole cannot be read (then the attempt is logged as
    refused, and no record was written), and `FeedStoppedError` when it could not be
    read to its end after all (then it is logged as stopped part way)."""
    system = _mapping_check(agency, mapping)
    mark_stopped_imports(via=via)
    started = timezone.now()
    feed = FeedImport.objects.create(
        agency=agency,
        system=system,
        file_name=path.name,
        file_sha256=_sha256(path),
        mapping_name=Path(mapping.source).name if mapping.source else "",
        imported_by=imported_by,
        started_on=started,
        heartbeat_at=started,
    )
    landing = _Landing(
        agency=agency,
        system=system,
        directory=AgencyDirectory.load(agency),
        feed=feed,
        received_on=feed.started_on,
        user=imported_by,
    )
    counts = ImportCounts()
    surveyed = False
    try:
        survey = _feed_survey(feed, path, mapping)
        surveyed = True
        _feed_rows_land(feed, path, mapping, landing, counts, survey, on_rows, on_problem)
    except SourceFileError as exc:
        if not surveyed:
            # The survey writes nothing: a refused file has written no record.
            _feed_finish(
                feed, counts, ImportStatus.REFUSED, str(exc), via, imported_by, actor_label
            )
            raise FeedRefusedError(str(exc)) from exc
        reason = f"the file could not be read to its end: {exc}"
        _feed_stop(feed, reason, via, imported_by, actor_label)
        raise FeedStoppedError(f"Import {feed.pk} stopped part way: {reason}") from exc
    except BaseException as exc:
        # The message may quote a stored value; the kind of failure is enough here.
        reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else type(exc).__name__
        _feed_stop(feed, reason, via, imported_by, actor_label)
        raise
    _feed_finish(feed, counts, ImportStatus.COMPLETED, "", via, imported_by, actor_label)
    if counts.new:
        # Linkage links the new records (`RECORDS_LANDED`) once this returns.
        hooks_run("RECORDS_LANDED", feed)
    return feed


def _mapping_check(agency: Agency, mapping: ColumnMapping) -> str:
    where = f"The mapping {mapping.source}" if mapping.source else "The mapping"
    if not mapping.agency:
        raise FeedRefusedError(f"{where} names no agency: add `agency: {agency.code}` to it.")
    if mapping.agency.casefold() != agency.code.casefold():
        raise FeedRefusedError(
            f"{where} is for agency {mapping.agency}, not {agency.code} ({agency.name}):"
            " check that the file, its mapping and --agency belong together."
        )
    if not mapping.system:
        raise FeedRefusedError(
            f"{where} names no system: add the agency system the file comes from,"
            " e.g. `system: SystmOne`."
        )
    return mapping.system


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise FeedRefusedError(f"cannot read {path}: {exc.strerror}") from exc
    return digest.hexdigest()


def _heartbeat(feed: FeedImport, counts: ImportCounts | None = None) -> None:
    """Say the import is alive, with its counts so far: in a batch's transaction, so the
    counts are always those of the rows written."""
    fields: dict[str, Any] = {"heartbeat_at": timezone.now()}
    if counts is not None:
        fields |= {f"rows_{name}": value for name, value in vars(counts).items()}
    FeedImport.objects.filter(pk=feed.pk).update(**fields)


@dataclass
class _Repeats:
    """One record id (or one involvement of it) on several rows of a file: what the
    first said, the rows, and whether any said otherwise."""

    said: tuple[Any, ...]
    rows: list[int]
    differ: bool = False


@dataclass
class _Survey:
    """What the whole file says, read before any row is written: each row that shares
    its record id (`record_id`), or its involvement (`started_on`), with rows giving
    other details, and those other rows."""

    repeated: dict[int, tuple[str, list[int]]]


def _feed_survey(feed: FeedImport, path: Path, mapping: ColumnMapping) -> _Survey:
    """Read the file through once, writing nothing: it raises `SourceFileError` for a
    file that cannot be read as a whole, and finds the rows a file contradicts itself
    on. A record id on several rows with the same details is one record with several
    involvements or events; with other details, none of those rows is taken, since
    which is right cannot be told (and taking the first would hide the others)."""
    record_fields = [name for name in RECORD_FIELDS if name in mapping.fields]
    wanted = {"record_id", *record_fields, *INVOLVEMENT_FIELDS}
    groups: dict[tuple[Any, ...], _Repeats] = {}

    def seen(key: tuple[Any, ...], number: int, said: tuple[Any, ...]) -> None:
        group = groups.get(key)
        if group is None:
            groups[key] = _Repeats(said, [number])
        else:
            group.rows.append(number)
            group.differ = group.differ or group.said != said

    for read, source in enumerate(read_rows(path, mapping), start=1):
        if read % _SURVEY_BEAT_ROWS == 0:
            _heartbeat(feed)
        if source.problem:
            continue
        values, errors = mapping.apply(source.cells, only=wanted)
        local_id = values.get("record_id")
        if errors or not local_id:
            continue  # reported as the row's own problem when it is read to land
        seen(("record", local_id), source.number, tuple(values.get(n) for n in record_fields))
        team, capacity = values.get("team"), _capacity(values.get("capacity"))
        if team and capacity and values.get("started_on"):
            said = (
                values.get("ended_on"),
                values.get("end_reason") or "",
                values.get("practitioner") or "",
                bool(values.get("lead_professional")),
            )
            key = ("involvement", local_id, _key(team), capacity, values["started_on"])
            seen(key, source.number, said)
    repeated: dict[int, tuple[str, list[int]]] = {}
    for key, group in groups.items():
        if group.differ:
            field_name = "record_id" if key[0] == "record" else "started_on"
            for number in group.rows:
                others = [n for n in group.rows if n != number]
                repeated.setdefault(number, (field_name, others))
    return _Survey(repeated)


def _repeat_problem(field_name: str, others: list[int]) -> FieldError:
    shown = [str(n) for n in others[:_ROWS_NAMED]]
    if len(others) > _ROWS_NAMED:
        shown.append(f"{len(others) - _ROWS_NAMED} more")
    named = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    rows = "row" if len(others) == 1 else "rows"
    if field_name == "record_id":
        said = f"is repeated on {rows} {named} with other details"
    else:
        said = (
            f"repeats the involvement (same team and capacity) of {rows} {named} with other details"
        )
    return FieldError(field_name, f"{said}: none of these rows was taken")


def _feed_rows_land(
    feed: FeedImport,
    path: Path,
    mapping: ColumnMapping,
    landing: _Landing,
    counts: ImportCounts,
    survey: _Survey,
    on_rows: Callable[[int], None],
    on_problem: Callable[[RowProblem], None],
) -> None:
    given = set(mapping.fields)
    batch: list[ReceivedRow] = []
    problems: list[RowProblem] = []

    def flush() -> None:
        with transaction.atomic():
            outcomes, _ = _land(batch, landing) if batch else ([], [])
            FeedRowProblem.objects.bulk_create(
                FeedRowProblem(
                    feed=feed, row_number=p.row_number, field=p.field, reason=p.reason[:300]
                )
                for p in problems
            )
            counts.add(outcomes)
            _heartbeat(feed, counts)
        on_rows(len(batch) + len({p.row_number for p in problems}))
        batch.clear()
        problems.clear()

    for source in read_rows(path, mapping):
        counts.read += 1
        if source.problem:
            errors = [FieldError(source.problem_field, source.problem)]
        else:
            values, errors = mapping.apply(source.cells)
            row, more = row_read(
                values,
                given=given,
                directory=landing.directory,
                number=source.number,
                invalid={e.field for e in errors},
            )
            errors += more
            if source.number in survey.repeated:
                errors.append(_repeat_problem(*survey.repeated[source.number]))
            if not errors and row is not None:
                batch.append(row)
        if errors:
            counts.skipped += 1
            for error in errors:
                problem = RowProblem(source.number, error.field, error.reason_without_value)
                problems.append(problem)
                on_problem(problem)
        if len(batch) >= BATCH_ROWS or len(problems) >= BATCH_ROWS:
            flush()
    flush()


def _feed_finish(
    feed: FeedImport,
    counts: ImportCounts,
    status: str,
    reason: str,
    via: Via,
    user: User | None,
    actor_label: str | None,
) -> None:
    feed.status = status
    feed.status_reason = reason
    feed.rows_read = counts.read
    feed.rows_new = counts.new
    feed.rows_updated = counts.updated
    feed.rows_unchanged = counts.unchanged
    feed.rows_skipped = counts.skipped
    feed.finished_on = feed.heartbeat_at = timezone.now()
    with transaction.atomic():
        feed.save()
        _feed_audit(feed, via, user, actor_label)


def _feed_audit(feed: FeedImport, via: Via, user: User | None, actor_label: str | None) -> None:
    # Counts and codes only: the audit log holds no one's details.
    stopped = feed.status == ImportStatus.STOPPED_PART_WAY
    audit_record(
        actor=user,
        action=Action.CHANGE,
        channel=via.channel,
        obj=feed,
        ip_address=via.ip_address,
        reason="Agency feed import stopped part way" if stopped else "Agency feed imported",
        detail={
            "feed_import": feed.pk,
            "agency": feed.agency.code,
            "system": feed.system,
            "status": feed.status,
            **feed.counts,
        },
        actor_label=actor_label,
    )


def _feed_stop(
    feed: FeedImport, reason: str, via: Via, user: User | None, actor_label: str | None
) -> None:
    """The import's own process marks it stopped part way, if it still can (the next
    start-up or import does otherwise)."""
    try:
        _feed_stopped_mark(feed.pk, reason=reason, via=via, user=user, actor_label=actor_label)
    except Exception:  # the failure that stopped it is the one to raise
        logger.warning("import %s: could not be marked stopped part way now", feed.pk)


def _feed_stopped_mark(
    pk: int,
    *,
    reason: str,
    via: Via,
    user: User | None,
    actor_label: str | None,
    only: Q | None = None,
) -> FeedImport | None:
    """Claim a running import as stopped part way, once: its counts stay those of its
    last written batch; audited; its new records are handed to linkage. None when it
    was no longer running (or, with `only`, no longer matching)."""
    with transaction.atomic():
        claimed = FeedImport.objects.filter(only or Q(), pk=pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.STOPPED_PART_WAY,
            status_reason=reason,
            finished_on=timezone.now(),
        )
        if not claimed:
            return None
        feed = FeedImport.objects.select_related("agency").get(pk=pk)
        _feed_audit(feed, via, user, actor_label)
    if feed.rows_new:
        hooks_run("RECORDS_LANDED", feed)
    return feed


def mark_stopped_imports(*, via: Via = BACKGROUND, now: datetime | None = None) -> list[FeedImport]:
    """Mark stopped part way every import still RUNNING that has not beaten its heart
    for three times `FEED_HEARTBEAT_SECONDS`: its process was killed (even with
    SIGKILL) or its machine lost. Each keeps the counts of its last written batch, gets
    an audit entry, and its records are handed to linkage (`RECORDS_LANDED`), once:
    claimed atomically, so two callers never mark one twice.

    Called at the start of every import, when `tellonce serve` starts (`ON_SERVE`:
    `stopped_imports_said`) and on each round of the clock (`feed_imports_clock_tick`)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=3 * settings.FEED_HEARTBEAT_SECONDS)
    silent = Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_on__lt=stale)
    marked = []
    waiting = FeedImport.objects.filter(silent, status=ImportStatus.RUNNING)
    for pk, last in waiting.values_list("pk", "heartbeat_at"):
        since = timezone.localtime(last).strftime("%d %b %Y %H:%M:%S") if last else "it began"
        reason = f"no word from it since {since}: its process was stopped (killed, or lost)"
        feed = _feed_stopped_mark(
            pk, reason=reason, via=via, user=None, actor_label=STOPPED_MARKER, only=silent
        )
        if feed is not None:
            marked.append(feed)
    return marked


def stopped_imports_said() -> str | None:
    """`ON_SERVE`: mark imports found stopped, and tell the operator."""
    marked = mark_stopped_imports()
    if not marked:
        return None
    numbers = ", ".join(str(f.pk) for f in marked)
    return f"Feed imports found stopped part way and marked so: {numbers}."


def feed_imports_clock_tick(now: datetime | None = None) -> dict[str, int]:
    """A tick: imports whose heartbeat stopped are marked stopped part way."""
    return {"stopped part way": len(mark_stopped_imports(now=now))}


# ----- one record from the API


#: The API takes a record as JSON with TellOnce's field names and ISO dates.
API_REQUIRED = ("record_id", "family_name")
API_MAPPING = ColumnMapping.from_dict(
    {name: name for name in FIELD_CHECKS}
    | {
        name: {"column": name, "format": "%Y-%m-%d"}
        for name in ("date_of_birth", "started_on", "ended_on", "event_date")
    }
    | {"required": list(API_REQUIRED)},
    source="the API",
)


@dataclass
class ReceivedRecord:
    record: AgencyRecord
    outcome: RowOutcome


def agency_record_check(
    body: Mapping[str, Any], *, agency: Agency
) -> tuple[ReceivedRow | None, str, list[FieldError]]:
    """Check one record sent by the API: the row, the agency system it is from, and
    every problem by field (the same checks as a feed row's)."""
    problems = [
        FieldError(str(name), "is not a field TellOnce knows")
        for name in body
        if name not in FIELD_CHECKS and name != "system"
    ]
    nested = {
        name
        for name, value in body.items()
        if name in FIELD_CHECKS and isinstance(value, dict | list)
    }
    problems += [FieldError(name, "must be text, a number or true or false") for name in nested]
    system = body.get("system")
    if not isinstance(system, str) or not system.strip():
        problems.append(FieldError("system", "is missing: name the agency system, e.g. Mosaic"))
        system = ""
    elif len(system.strip()) > 100:
        problems.append(FieldError("system", "is longer than 100 characters"))
    values, errors = API_MAPPING.apply({k: v for k, v in body.items() if k not in nested})
    problems += [e for e in errors if e.field not in nested]
    row, more = row_read(
        values,
        given=[name for name in body if name in FIELD_CHECKS],
        directory=AgencyDirectory.load(agency),
        invalid={e.field for e in problems},
    )
    problems += more
    return (row if not problems else None), system.strip(), problems


def agency_record_receive(
    *, user: User, agency: Agency, system: str, row: ReceivedRow, via: Via
) -> ReceivedRecord:
    """Store one checked record from an agency system's account, as a feed row would
    be stored; audited when it changed anything."""
    landing = _Landing(
        agency=agency,
        system=system,
        directory=AgencyDirectory.load(agency),
        feed=None,
        received_on=timezone.now(),
        user=user,
    )
    try:
        return _record_land(row, landing, via)
    except IntegrityError:
        # The same new record sent twice at once: the other call stored it first, so
        # this one now finds it and compares.
        return _record_land(row, landing, via)


def _record_land(row: ReceivedRow, landing: _Landing, via: Via) -> ReceivedRecord:
    with transaction.atomic():
        outcomes, ids = _land([row], landing)
        record = AgencyRecord.objects.select_related("agency").get(pk=ids[0])
        if outcomes[0] is not RowOutcome.UNCHANGED:
            audit_via(
                via,
                user=landing.user,
                action=Action.CHANGE,
                obj=record,
                reason="Agency record received",
                detail={"outcome": outcomes[0].name.lower()},
            )
    return ReceivedRecord(record=record, outcome=outcomes[0])
