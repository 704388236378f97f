"""Adding to the chronology: every event goes through `chronology_event_store`, which
stores it in the caller's transaction and follows it up (an unscheduled health
attendance is checked for CP-IS, whoever recorded it).

- `chronology_event_record`: a practitioner whose team works with the child, or an
  agency's system whose agency does, records a significant event. Checked field by
  field, sourced to the recorder's agency, audited; the same `external_ref` from the
  same agency system twice is one event.
- `chronology_entry_write` (and `chronology_entry` for a batch): TellOnce's own entry
  for what happened in TellOnce (a contact to the MASH, its decision, a meeting's
  minutes, a missing episode, an Operation Encompass notification): the kind, the
  person, the moment, the summary, the agency, the recorder and the reference that
  makes it once only. The apps call it; none writes an event of its own.
- `involvement_entries_write`: the entries for an involvement starting or ending (and,
  for an A&E attendance, the unscheduled care), each once, written in the involvement's
  transaction (the `INVOLVEMENT_CHANGED` hook).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tellonce.access.policy import require_change
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.chronology.models import SYSTEM_KINDS, ChronologyEvent, EventKind
from tellonce.core.dates import date_problem
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.cpis.services import cp_is_check
from tellonce.involvements.models import Capacity

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.involvements.models import Involvement
    from tellonce.organisations.models import Agency
    from tellonce.people.models import Person

SUMMARY_MAX = 2000


def chronology_event_store(event: ChronologyEvent) -> ChronologyEvent:
    """Store an event in the caller's transaction and follow it up: an unscheduled
    health attendance is checked for CP-IS."""
    event.save()
    cp_is_check(event)
    return event


def chronology_entry(
    *,
    kind: str,
    person: Person,
    moment: datetime | date,
    summary: str,
    agency: Agency,
    recorder: User | None,
    reference: str,
    system: str = TELLONCE_SYSTEM,
) -> ChronologyEvent:
    """TellOnce's own entry, not yet stored (`chronology_entries_store` stores a batch):
    `moment` is when it happened (a day, or a moment shown in UK time to the second),
    `agency` whose work it was, `recorder` who did it, and `reference` names it once
    (`mash-contact-12`): the same reference for the same person is one entry."""
    if isinstance(moment, datetime):
        local = timezone.localtime(moment)
        day, at = local.date(), local.time().replace(microsecond=0)
    else:
        day, at = moment, None
    return ChronologyEvent(
        person=person,
        kind=kind,
        occurred_on=day,
        occurred_at=at,
        summary=summary,
        source_agency=agency,
        source_system=system,
        recorded_by=recorder,
        external_ref=reference,
        created_by=recorder,
    )


def chronology_entry_write(**entry: Any) -> ChronologyEvent:
    """Store TellOnce's own entry (see `chronology_entry` for what it takes)."""
    return chronology_event_store(chronology_entry(**entry))


def chronology_entries_store(events: Iterable[ChronologyEvent]) -> list[ChronologyEvent]:
    """Store many of TellOnce's own entries at once (a morning's Operation Encompass
    batch), each followed up as `chronology_event_store` would."""
    stored = ChronologyEvent.objects.bulk_create(events)
    for event in stored:
        cp_is_check(event)
    return stored


def chronology_event_record(
    *,
    user: User,
    person: Person,
    kind: str,
    occurred_on: date,
    summary: str,
    occurred_at: time | None = None,
    unscheduled: bool = False,
    system: str = "",
    external_ref: str = "",
    via: Via,
) -> tuple[ChronologyEvent, bool]:
    """Record a significant event; (the event, whether it is new)."""
    team = require_change(user, person)
    summary = (summary or "").strip()
    external_ref = (external_ref or "").strip()
    system = (system or "").strip() or TELLONCE_SYSTEM
    problems: dict[str, str] = {}
    if kind not in EventKind.values or kind in SYSTEM_KINDS:
        problems["kind"] = "Choose what kind of event it was"
    if when := date_problem(occurred_on, born=person.date_of_birth):
        problems["occurred_on"] = f"The date of the event {when}"
    if len(summary) < 10:
        problems["summary"] = "Say what happened, in a sentence or more"
    elif len(summary) > SUMMARY_MAX:
        problems["summary"] = f"Keep it to {SUMMARY_MAX} characters: link to the full record"
    if unscheduled and kind != EventKind.HEALTH_ATTENDANCE:
        problems["unscheduled"] = "Only a health attendance can be unscheduled care"
    if problems:
        raise ValidationError(problems)
    if external_ref:
        existing = ChronologyEvent.all_objects.filter(
            person=person,
            source_agency=team.agency,
            source_system=system,
            external_ref=external_ref,
        ).first()
        if existing is not None:
            return existing, False
    with transaction.atomic():
        event = chronology_event_store(
            ChronologyEvent(
                person=person,
                kind=kind,
                occurred_on=occurred_on,
                occurred_at=occurred_at,
                summary=summary,
                unscheduled=unscheduled,
                external_ref=external_ref,
                source_agency=team.agency,
                source_system=system,
                recorded_by=None if user.is_system_account else user,
                recorded_by_name="" if not user.is_system_account else system,
                created_by=user,
            )
        )
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=person,
            obj=event,
            detail={"change": "chronology event", "kind": kind},
        )
    return event, True


def involvement_entries_write(involvement: Involvement) -> None:
    """`INVOLVEMENT_CHANGED`: the chronology's entries for an involvement as it now
    stands, each written once: it started; it ended (once it has); and an A&E
    attendance reported as an involvement is also a health attendance at unscheduled
    care (and so checked for CP-IS)."""
    _involvement_entry(involvement, ended=False)
    if involvement.ended_on is not None:
        _involvement_entry(involvement, ended=True)
    if involvement.capacity == Capacity.AE_ATTENDANCE:
        _unscheduled_care_entry(involvement)


def _involvement_entry(involvement: Involvement, *, ended: bool) -> None:
    team = involvement.team
    who = involvement.practitioner.get_full_name() if involvement.practitioner else ""
    capacity = involvement.capacity_in_sentence
    if ended:
        kind, day = EventKind.INVOLVEMENT_ENDED, involvement.ended_on
        summary = f"{team.named} stopped working with them in {capacity}"
        if involvement.end_reason:
            summary += f": {involvement.end_reason}"
    else:
        kind, day = EventKind.INVOLVEMENT_STARTED, involvement.started_on
        summary = f"{team.named} started working with them in {capacity}"
        if who:
            summary += f"; worker {who}"
    assert day is not None
    ChronologyEvent.objects.get_or_create(
        involvement=involvement,
        kind=kind,
        defaults={
            "person_id": involvement.person_id,
            "occurred_on": day,
            "summary": summary,
            "source_agency_id": involvement.source_agency_id,
            "source_system": involvement.source_system,
            "recorded_by": involvement.recorded_by,
            "recorded_by_name": _recorder_name(involvement),
        },
    )


def _unscheduled_care_entry(involvement: Involvement) -> None:
    if ChronologyEvent.objects.filter(
        involvement=involvement, kind=EventKind.HEALTH_ATTENDANCE
    ).exists():
        return
    team = involvement.team
    chronology_event_store(
        ChronologyEvent(
            involvement=involvement,
            kind=EventKind.HEALTH_ATTENDANCE,
            person_id=involvement.person_id,
            occurred_on=involvement.started_on,
            summary=f"Attended {team.named}",
            unscheduled=True,
            source_agency_id=involvement.source_agency_id,
            source_system=involvement.source_system,
            recorded_by=involvement.recorded_by,
            recorded_by_name=_recorder_name(involvement),
        )
    )


def _recorder_name(involvement: Involvement) -> str:
    # An involvement a feed or an agency system reported: the system recorded it.
    if involvement.recorded_by_id or involvement.recorded_by_name:
        return involvement.recorded_by_name
    return involvement.source_system
