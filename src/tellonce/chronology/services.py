"""Adding to the chronology.

- `chronology_event_record`: a practitioner whose team works with the child, or an
  agency's system whose agency does, records a significant event. Checked field by
  field, sourced to the recorder's agency, audited; the same `external_ref` from the
  same agency system twice is one event.
- `involvement_event_write`: TellOnce's own entry when an involvement starts or ends,
  written in the same transaction as the change.
"""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.chronology.models import SYSTEM_KINDS, ChronologyEvent, EventKind
from tellonce.people.services import require_change

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.involvements.models import Involvement
    from tellonce.people.models import Person

TELLONCE_SYSTEM = "TellOnce"
SUMMARY_MAX = 2000


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
    if occurred_on > timezone.localdate():
        problems["occurred_on"] = "The date of the event must be today or in the past"
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
        event = ChronologyEvent.objects.create(
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
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=person,
            obj=event,
            detail={"change": "chronology event", "kind": kind},
        )
        from tellonce.alerts.services import cp_is_check

        cp_is_check(event)
    return event, True


def involvement_event_write(involvement: Involvement, *, ended: bool = False) -> None:
    """The chronology's entry for an involvement starting (or ending)."""
    team = involvement.team
    who = involvement.practitioner.get_full_name() if involvement.practitioner else ""
    capacity = involvement.capacity_in_sentence
    if ended:
        kind, day = EventKind.INVOLVEMENT_ENDED, involvement.ended_on
        summary = f"{team.name} ({team.agency.name}) stopped working with them in {capacity}"
        if involvement.end_reason:
            summary += f": {involvement.end_reason}"
    else:
        kind, day = EventKind.INVOLVEMENT_STARTED, involvement.started_on
        summary = f"{team.name} ({team.agency.name}) started working with them in {capacity}"
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


def unscheduled_care_write(involvement: Involvement) -> ChronologyEvent:
    """An A&E attendance reported as an involvement is also a health attendance at
    unscheduled care in the chronology (and so checked for CP-IS)."""
    team = involvement.team
    event, created = ChronologyEvent.objects.get_or_create(
        involvement=involvement,
        kind=EventKind.HEALTH_ATTENDANCE,
        defaults={
            "person_id": involvement.person_id,
            "occurred_on": involvement.started_on,
            "summary": f"Attended {team.name} ({team.agency.name})",
            "unscheduled": True,
            "source_agency_id": involvement.source_agency_id,
            "source_system": involvement.source_system,
            "recorded_by": involvement.recorded_by,
            "recorded_by_name": _recorder_name(involvement),
        },
    )
    if created:
        from tellonce.alerts.services import cp_is_check

        cp_is_check(event)
    return event


def _recorder_name(involvement: Involvement) -> str:
    # An involvement a feed or an agency system reported: the system recorded it.
    if involvement.recorded_by_id or involvement.recorded_by_name:
        return involvement.recorded_by_name
    return involvement.source_system
