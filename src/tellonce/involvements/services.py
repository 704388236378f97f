"""Writing the involvement register, and who is told.

- `involvement_start` stores that a team (and perhaps a named practitioner) is now
  working with a person and, in the same transaction, the alerts that tell everyone
  else involved with the child and their household, and the newcomer who was there
  already (`involvement_started_alerts`, through the outbox in `tellonce.alerts`): the
  involvement and its alerts are stored together or not at all. Feeds, the API, the
  pages and the MASH's sign-off all come through here. The apps above are told in the
  same transaction through the `INVOLVEMENT_CHANGED` hook (the chronology writes its
  entry; an A&E attendance is unscheduled care, checked for CP-IS).
- `involvement_record`: a practitioner records that their own team now works with a
  child they can find (the flag is enough: saying so is what makes the relationship,
  and everyone already involved is told). Checked, and audited.
- `involvement_end`: a practitioner of the team ends it, with the date and why.

One current involvement per person may be the lead professional's: naming a second is
refused with who holds it now, so no one is replaced without knowing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import alerts_store
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.core.hooks import hooks_run
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.involvements.models import Capacity, Involvement
from tellonce.people.selectors import household_of

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.people.models import Person


def involvement_start(**fields: Any) -> Involvement:
    """Store a new involvement (the model's fields) and its alerts, together; the apps
    above hear of it in the same transaction (`INVOLVEMENT_CHANGED`). A lead
    professional is refused while the child has another (`lead_professional_problem`);
    every path that starts an involvement comes through here."""
    with transaction.atomic():
        if fields.get("is_lead_professional") and fields.get("ended_on") is None:
            person_id = fields["person"].pk if "person" in fields else fields["person_id"]
            problem = lead_professional_problem(person_id)
            if problem:
                raise ValidationError({"is_lead_professional": problem})
        involvement = Involvement.objects.create(**fields)
        if involvement.ended_on is None:
            involvement_started_alerts(involvement)
        hooks_run("INVOLVEMENT_CHANGED", involvement)
    return involvement


def lead_professional(person: Person | Any) -> Involvement | None:
    """The child's lead professional now (a person, or their id), if they have one."""
    return (
        Involvement.objects.current()
        .filter(person=person, is_lead_professional=True)
        .select_related("team__agency", "practitioner", "person")
        .first()
    )


def lead_professional_problem(person: Person | Any, *, besides: Any = None) -> str:
    """Why someone else cannot be named the child's lead professional now (one lead
    professional per child: the one there must step down first), or nothing."""
    lead = lead_professional(person)
    if lead is None or lead.pk == besides:
        return ""
    return (
        f"{_who(lead)} is the lead professional for {lead.person.full_name}: they must step"
        " down (end their involvement or hand over) before you can be named"
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
    problems: dict[str, str] = {}
    if capacity not in Capacity.values:
        problems["capacity"] = "Choose how your team is working with them"
    if started_on > timezone.localdate():
        problems["started_on"] = "The date you started must be today or in the past"
    if Involvement.objects.current().filter(person=person, team=team, capacity=capacity).exists():
        problems["capacity"] = (
            f"{team.name} is already recorded as working with {person.full_name} in this way"
        )
    lead = lead_professional_problem(person) if is_lead_professional else ""
    if lead:
        problems["is_lead_professional"] = lead
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
        involvement_close(involvement=involvement, ended_on=ended_on, reason=reason, by=user)
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=involvement.person,
            obj=involvement,
            detail={"change": "involvement ended"},
        )
    return involvement


def involvement_close(
    *, involvement: Involvement, ended_on: date, reason: str, by: User
) -> Involvement:
    """Store that an involvement ended (checked by the caller: a practitioner's
    `involvement_end`, or the MASH when the last case of its enquiry closes); the apps
    above hear of it in the same transaction (`INVOLVEMENT_CHANGED`)."""
    with transaction.atomic():
        involvement.ended_on = ended_on
        involvement.end_reason = reason
        involvement.modified_by = by
        involvement.save(update_fields=["ended_on", "end_reason", "modified_by", "modified_on"])
        hooks_run("INVOLVEMENT_CHANGED", involvement)
    return involvement


def _who(involvement: Involvement) -> str:
    who = involvement.practitioner.get_full_name() if involvement.practitioner else ""
    return f"{who} ({involvement.team.name})" if who else involvement.team.name


# ----- who is told when an involvement starts


def contact_line(involvement: Involvement) -> str:
    """How to reach the people behind an involvement: worker, team, agency, phone, email."""
    team = involvement.team
    who = involvement.practitioner.get_full_name() if involvement.practitioner else ""
    parts = [
        f"{who}, {team.name}" if who else team.name,
        team.agency.name,
        team.phone,
        team.email,
    ]
    return ", ".join(p for p in parts if p)


def _why(child: Person, through: list[Person]) -> str:
    """Why a team is told: "you work with them and with Lily Taylor, who lives with
    them"."""
    household = [p.full_name for p in through if p != child]
    reasons = ["them"] if child in through else []
    if household:
        names = " and ".join(
            [", ".join(household[:-1]), household[-1]] if len(household) > 1 else household
        )
        verb = "lives" if len(household) == 1 else "live"
        reasons.append(f"{names}, who {verb} with them")
    return "you work with " + " and with ".join(reasons)


@dataclass
class _Recipient:
    team_id: int
    user_id: int | None = None
    through: list[Person] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)


def involvement_started_alerts(involvement: Involvement) -> list[Alert]:
    """Alerts for a new involvement, written in the caller's transaction (see the
    module's docstring). Calling it again for the same involvement writes nothing."""
    child = involvement.person
    circle = [child, *household_of(child)]
    others = (
        Involvement.objects.filter(person__in=circle, ended_on__isnull=True)
        .exclude(pk=involvement.pk)
        .exclude(team=involvement.team_id)
        .select_related("team__agency", "practitioner", "person")
        .order_by("started_on", "pk")
    )
    recipients: dict[int, _Recipient] = {}
    for other in others:
        recipient = recipients.setdefault(other.team_id, _Recipient(other.team_id))
        recipient.user_id = recipient.user_id or other.practitioner_id
        if other.person not in recipient.through:
            recipient.through.append(other.person)
        recipient.involvements.append(other)
    if not recipients:
        return []

    newcomer = contact_line(involvement)
    capacity = involvement.capacity_in_sentence
    alerts = []
    for recipient in recipients.values():
        why = _why(child, recipient.through)
        alerts.append(
            Alert(
                kind=AlertKind.NOW_INVOLVED,
                team_id=recipient.team_id,
                user_id=recipient.user_id,
                person=child,
                involvement=involvement,
                title=f"{involvement.team.agency.name} is now involved with {child.full_name}",
                body=(
                    f"{involvement.team.name} ({involvement.team.agency.name}) started working"
                    f" with {child.name_and_birth}, in {capacity}, on"
                    f" {involvement.started_on:%-d %B %Y}.\n"
                    f"Contact: {newcomer}.\n"
                    f"You are told because {why}."
                ),
            )
        )
    alerts.append(_already_involved(involvement, list(recipients.values())))
    return alerts_store(alerts, involvement=involvement)


def _already_involved(involvement: Involvement, recipients: list[_Recipient]) -> Alert:
    child = involvement.person
    lines = []
    leads = []
    for recipient in recipients:
        for other in recipient.involvements:
            whom = other.person.full_name
            lines.append(
                f"- {other.get_capacity_display()} with {whom}"
                f" since {other.started_on:%-d %B %Y}: {contact_line(other)}"
            )
            if other.is_lead_professional:
                leads.append(f"{contact_line(other)} ({whom})")
    lead = (
        "Lead professional: " + "; ".join(leads)
        if leads
        else "No lead professional is recorded for the child or their household."
    )
    return Alert(
        kind=AlertKind.ALREADY_INVOLVED,
        team_id=involvement.team_id,
        user_id=involvement.practitioner_id,
        person=child,
        involvement=involvement,
        title=f"Others already work with {child.full_name} and their household",
        body=(
            f"Already working with {child.name_and_birth} and the people they live with:\n"
            + "\n".join(lines)
            + f"\n{lead}"
        ),
    )
