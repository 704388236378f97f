"""Writing the involvement register.

- `involvement_start` stores that a team (and perhaps a named practitioner) is now
  working with a person and, in the same transaction, the alerts that tell everyone
  else involved with the child and their household, and the newcomer who was there
  already (`tellonce.alerts`): the involvement and its alerts are stored together or
  not at all. Feeds, the API and the page all come through here.
- `involvement_record`: a practitioner records that their own team now works with a
  child they can find (the flag is enough: saying so is what makes the relationship,
  and everyone already involved is told). Checked, and audited.
- `involvement_end`: a practitioner of the team ends it, with the date and why.

One current involvement per person may be the lead professional's: naming a second is
refused with who holds it now, so no one is replaced without knowing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tellonce.access.policy import Level, access_for
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.involvements.models import Capacity, Involvement

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.people.models import Person

TELLONCE_SYSTEM = "TellOnce"


def involvement_start(**fields: Any) -> Involvement:
    """Store a new involvement (the model's fields) and its alerts, together."""
    from tellonce.alerts.services import involvement_started_alerts
    from tellonce.chronology.services import involvement_event_write, unscheduled_care_write

    with transaction.atomic():
        involvement = Involvement.objects.create(**fields)
        involvement_event_write(involvement)
        if involvement.ended_on is None:
            involvement_started_alerts(involvement)
        else:
            involvement_event_write(involvement, ended=True)
        if involvement.capacity == Capacity.AE_ATTENDANCE:
            # An A&E attendance is unscheduled care: the child's social worker may
            # need to know (CP-IS).
            unscheduled_care_write(involvement)
    return involvement


def lead_professional(person: Person) -> Involvement | None:
    return (
        Involvement.objects.current()
        .filter(person=person, is_lead_professional=True)
        .select_related("team__agency", "practitioner")
        .first()
    )


def involvement_record(
    *,
    user: User,
    person: Person,
    capacity: str,
    started_on: date,
    is_lead_professional: bool = False,
    via: Via,
) -> Involvement:
    """Record that the user's team now works with `person` (see the module docstring)."""
    team = user.team
    if team is None or not user.does_casework or user.is_system_account:
        raise PermissionDenied("Recording an involvement is for practitioners in a team")
    if access_for(user, person).level < Level.FLAG:
        raise PermissionDenied("You cannot record work with this person")
    problems: dict[str, str] = {}
    if capacity not in Capacity.values:
        problems["capacity"] = "Choose how your team is working with them"
    if started_on > timezone.localdate():
        problems["started_on"] = "The date you started must be today or in the past"
    if Involvement.objects.current().filter(person=person, team=team, capacity=capacity).exists():
        problems["capacity"] = (
            f"{team.name} is already recorded as working with {person.full_name} in this way"
        )
    lead = lead_professional(person) if is_lead_professional else None
    if lead is not None:
        problems["is_lead_professional"] = (
            f"{_who(lead)} is the lead professional for {person.full_name}: they must step"
            " down (end their involvement or hand over) before you can be named"
        )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        involvement = involvement_start(
            person=person,
            team=team,
            practitioner=user,
            capacity=capacity,
            started_on=started_on,
            is_lead_professional=is_lead_professional,
            source_agency=team.agency,
            source_system=TELLONCE_SYSTEM,
            recorded_by=user,
            created_by=user,
        )
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=person,
            obj=involvement,
            detail={"change": "involvement started", "capacity": capacity},
        )
    return involvement


def involvement_end(
    *, user: User, involvement: Involvement, ended_on: date, reason: str, via: Via
) -> Involvement:
    """End the user's team's involvement on `ended_on`, saying why."""
    if user.team_id is None or involvement.team_id != user.team_id:
        raise PermissionDenied("Only the team that is involved can end its involvement")
    problems: dict[str, str] = {}
    if involvement.ended_on is not None:
        problems["ended_on"] = f"This involvement ended on {involvement.ended_on:%-d %B %Y}"
    elif ended_on < involvement.started_on:
        problems["ended_on"] = (
            f"The date it ended must be on or after it started ({involvement.started_on:%-d %B %Y})"
        )
    elif ended_on > timezone.localdate():
        problems["ended_on"] = "The date it ended must be today or in the past"
    reason = (reason or "").strip()
    if len(reason) < 10:
        problems["reason"] = "Say why the involvement has ended, in a sentence"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        involvement.ended_on = ended_on
        involvement.end_reason = reason
        involvement.modified_by = user
        involvement.save(update_fields=["ended_on", "end_reason", "modified_by", "modified_on"])
        from tellonce.chronology.services import involvement_event_write

        involvement_event_write(involvement, ended=True)
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=involvement.person,
            obj=involvement,
            detail={"change": "involvement ended"},
        )
    return involvement


def _who(involvement: Involvement) -> str:
    who = involvement.practitioner.get_full_name() if involvement.practitioner else ""
    return f"{who} ({involvement.team.name})" if who else involvement.team.name
