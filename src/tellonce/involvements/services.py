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
  child they can find (the flag is enough to say so, and everyone already involved is
  told). Only work their team's service does (`models.CAPACITIES_BY_SERVICE`), from a
  date after the child's birth and within `INVOLVEMENT_BACKDATE_DAYS`. It opens the
  record only once confirmed (`involvement_confirm`) by a manager of the practitioner's
  team, the child's lead professional or a MASH manager, never by the practitioner
  themself; the confirmers are asked at once, and unconfirmed it lapses after
  `INVOLVEMENT_CONFIRM_DAYS` (`involvements_clock_tick`). Urgent need is what
  break-glass is for. Checked, and audited.
- `involvement_end`: a practitioner of the team ends it, with the date and why.

One current involvement per person may be the lead professional's: naming a second is
refused with who holds it now, so no one is replaced without knowing.

Two people at once: starting an involvement holds the person's row while it checks
(`person_hold`), so two lead professionals or the same team twice cannot slip in
together; confirming, refusing and ending claim the involvement's row
(`tellonce.core.claims`), so it is decided once and the second is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tellonce.accounts.selectors import administrators, managers_of
from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import alerts_store, alerts_write
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.core.claims import AlreadyDone, claim
from tellonce.core.hooks import hooks_run
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.involvements.models import (
    SENSITIVE_CAPACITIES,
    Capacity,
    Confirmation,
    Involvement,
    capacity_problem,
)
from tellonce.organisations.models import Role, Team
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
        person_id = fields["person"].pk if "person" in fields else fields["person_id"]
        person_hold(person_id)
        team = fields.get("team") or Team.objects.select_related("agency").get(pk=fields["team_id"])
        problem = capacity_problem(
            service=team.service,
            agency_kind=team.agency.kind,
            team_name=team.name,
            capacity=fields.get("capacity", ""),
        )
        if problem:
            raise ValidationError({"capacity": problem})
        if fields.get("is_lead_professional") and fields.get("ended_on") is None:
            problem = lead_professional_problem(person_id)
            if problem:
                raise ValidationError({"is_lead_professional": problem})
        involvement = Involvement.objects.create(**fields)
        if involvement.ended_on is None:
            involvement_started_alerts(involvement)
        hooks_run("INVOLVEMENT_CHANGED", involvement)
    return involvement


def person_hold(person_id: Any) -> None:
    """Hold the person's row to the end of the transaction, so that what is checked about
    their involvements (one lead professional, no team recorded twice) stays true until
    the new one is written: two people starting involvements at once take turns.

    `FOR NO KEY UPDATE`, not `FOR UPDATE`: rows that refer to the person (an audit
    entry of a look at their page, an alert) do not wait for the hold, so a page view
    holding the audit chain never deadlocks with it. (SQLite has one writer: no rows to
    hold.)"""
    from tellonce.people.models import Person

    Person.all_objects.select_for_update(no_key=True).filter(pk=person_id).first()


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
    today = timezone.localdate()
    if capacity not in Capacity.values:
        problems["capacity"] = "Choose how your team is working with them"
    else:
        cannot = capacity_problem(
            service=team.service,
            agency_kind=team.agency.kind,
            team_name=team.name,
            capacity=capacity,
        )
        if cannot:
            problems["capacity"] = cannot
    oldest = today - timedelta(days=settings.INVOLVEMENT_BACKDATE_DAYS)
    born = person.date_of_birth
    if started_on > today:
        problems["started_on"] = "The date you started must be today or in the past"
    elif born is not None and started_on < born:
        problems["started_on"] = (
            f"The date you started must be on or after {person.given_name}'s birth"
            f" ({born:%-d %B %Y})"
        )
    elif started_on < oldest:
        problems["started_on"] = (
            f"The date you started must be within the last {settings.INVOLVEMENT_BACKDATE_DAYS}"
            " days: earlier work comes from your agency's own system"
        )
    already = f"{team.name} is already recorded as working with {person.full_name} in this way"
    if _recorded_already(person, team, capacity):
        problems["capacity"] = already
    lead = lead_professional_problem(person) if is_lead_professional else ""
    if lead:
        problems["is_lead_professional"] = lead
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        person_hold(person.pk)
        if _recorded_already(person, team, capacity):  # by a colleague, a moment ago
            raise AlreadyDone("capacity", already)
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
            confirmation=Confirmation.AWAITING,
            confirm_by=timezone.now() + timedelta(days=settings.INVOLVEMENT_CONFIRM_DAYS),
        )
        _confirmation_asked(involvement)
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=person,
            obj=involvement,
            detail={"change": "involvement started", "capacity": capacity},
        )
    return involvement


def _recorded_already(person: Person, team: Team, capacity: str) -> bool:
    return (
        Involvement.objects.current().filter(person=person, team=team, capacity=capacity).exists()
    )


# ----- confirming what a practitioner said


def may_confirm(user: User, involvement: Involvement) -> bool:
    """A manager of the involvement's team, the child's lead professional, or a MASH
    manager, and never the one who recorded it."""
    if not user.is_authenticated or user.is_system_account or user.team_id is None:
        return False
    if user.pk == involvement.recorded_by_id:
        return False
    if user.has_role(Role.MASH_MANAGER):
        return True
    if user.is_manager and user.team_id == involvement.team_id:
        return True
    lead = lead_professional(involvement.person_id)
    return lead is not None and lead.pk != involvement.pk and lead.practitioner_id == user.pk


def _confirmation_asked(involvement: Involvement) -> None:
    """Ask the team's managers (or the agency's) and the child's lead professional to
    confirm what a practitioner said; MASH managers see it on their list."""
    asked = {m.pk: m for m in managers_of(involvement.team)}
    lead = lead_professional(involvement.person_id)
    if lead is not None and lead.practitioner is not None and lead.pk != involvement.pk:
        asked.setdefault(lead.practitioner.pk, lead.practitioner)
    if involvement.recorded_by_id is not None:
        asked.pop(involvement.recorded_by_id, None)
    child = involvement.person
    who = involvement.recorded_by.get_full_name() if involvement.recorded_by else "A worker"
    alerts_write(
        [
            Alert(
                kind=AlertKind.INVOLVEMENT_TO_CONFIRM,
                key=f"involvement:{involvement.pk}:confirm:{user.pk}",
                team_id=user.team_id,
                user=user,
                person=child,
                involvement=involvement,
                link="/involvements/to-confirm/",
                title=f"Confirm {involvement.team.name}'s work with {child.full_name}",
                body=(
                    f"{who} ({involvement.team.name}) says the team works with"
                    f" {child.name_and_birth}, in {involvement.capacity_in_sentence}, since"
                    f" {involvement.started_on:%-d %B %Y}. Until someone who knows confirms"
                    " it, they see who to contact, not the record. It lapses on"
                    f" {timezone.localtime(involvement.confirm_by):%-d %B %Y}"
                    " if nobody does."
                ),
            )
            for user in asked.values()
            if user.team_id is not None
        ]
    )


_STILL_AWAITING = {"confirmation": Confirmation.AWAITING, "ended_on__isnull": True}
_DECIDED_ALREADY = (
    "Someone else has just confirmed or refused this involvement (or it lapsed): reload the"
    " list to see it"
)


def _awaiting(involvement: Involvement) -> None:
    if involvement.confirmation != Confirmation.AWAITING or involvement.ended_on is not None:
        raise ValidationError({"involvement": "This involvement is not waiting for confirmation"})


def involvement_confirm(*, user: User, involvement: Involvement, via: Via) -> Involvement:
    """Confirm that the team does work with the child: from now it opens the record."""
    if not may_confirm(user, involvement):
        raise PermissionDenied(
            "A manager of the team, the child's lead professional or a MASH manager confirms"
            " an involvement, never the person who recorded it"
        )
    _awaiting(involvement)
    with transaction.atomic():
        now = timezone.now()
        claim(
            Involvement,
            involvement.pk,
            expected=_STILL_AWAITING,
            changes={
                "confirmation": Confirmation.CONFIRMED,
                "confirmed_by": user,
                "confirmed_on": now,
                "modified_by": user,
                "modified_on": now,
            },
            field="involvement",
            refused=_DECIDED_ALREADY,
        )
        involvement.refresh_from_db()
        _recorder_told(involvement, f"{user.get_full_name()} confirmed it: the record is open.")
        household_involved_alert(involvement)
        # It counts from now: the apps above hear of it as of a new one.
        hooks_run("INVOLVEMENT_CHANGED", involvement)
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=involvement.person,
            obj=involvement,
            detail={"change": "involvement confirmed"},
        )
    return involvement


def involvement_refuse(
    *, user: User, involvement: Involvement, reason: str, via: Via
) -> Involvement:
    """Say the team does not work with the child (or not in this way): it ends, why is
    kept, and the practitioner is told."""
    if not may_confirm(user, involvement):
        raise PermissionDenied(
            "A manager of the team, the child's lead professional or a MASH manager decides"
            " on an involvement, never the person who recorded it"
        )
    _awaiting(involvement)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Say why the involvement is not confirmed"})
    with transaction.atomic():
        ended = f"Not confirmed by {user.get_full_name()}: {reason}"
        involvement_close(
            involvement=involvement,
            ended_on=timezone.localdate(),
            reason=ended,
            by=user,
            expected=_STILL_AWAITING,
            refused=("involvement", _DECIDED_ALREADY),
        )
        _recorder_told(involvement, f"{user.get_full_name()} did not confirm it: {reason}")
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=involvement.person,
            obj=involvement,
            reason=reason,
            detail={"change": "involvement not confirmed"},
        )
    return involvement


def _recorder_told(involvement: Involvement, what: str) -> None:
    recorder = involvement.recorded_by
    if recorder is None or recorder.team_id is None or recorder.is_system_account:
        return
    alerts_write(
        [
            Alert(
                kind=AlertKind.INVOLVEMENT_CONFIRMED,
                key=f"involvement:{involvement.pk}:decided",
                team_id=recorder.team_id,
                user=recorder,
                person=involvement.person,
                involvement=involvement,
                title=f"Your team's work with {involvement.person.full_name}",
                body=(
                    f"You recorded that {involvement.team.name} works with"
                    f" {involvement.person.name_and_birth}, in"
                    f" {involvement.capacity_in_sentence}. {what}"
                ),
            )
        ]
    )


def system_of_record_counts(sender: User | None) -> dict[str, Any]:
    """How an involvement an agency's own system sent counts (decision 0008): at once,
    attributed to the system account (or the person who imported the file) that sent
    it; but an agency system that opens more than `SYSTEM_INVOLVEMENTS_PER_HOUR` in an
    hour is held back: what it opens next waits for a person to confirm, and the
    partnership's administrators are told (once an hour)."""
    counts: dict[str, Any] = {"confirmation": Confirmation.SYSTEM_OF_RECORD, "recorded_by": sender}
    if sender is None or not sender.is_system_account:
        return counts
    now = timezone.now()
    opened = Involvement.all_objects.filter(
        recorded_by=sender, created_on__gte=now - timedelta(hours=1)
    ).count()
    if opened < settings.SYSTEM_INVOLVEMENTS_PER_HOUR:
        return counts
    _burst_reported(sender, now)
    return {
        **counts,
        "confirmation": Confirmation.AWAITING,
        "confirm_by": now + timedelta(days=settings.INVOLVEMENT_CONFIRM_DAYS),
    }


def _burst_reported(sender: User, now: datetime) -> None:
    hour = timezone.localtime(now).strftime("%Y-%m-%dT%H")
    alerts_write(
        [
            Alert(
                kind=AlertKind.SYSTEM_BURST,
                key=f"system-burst:{sender.pk}:{hour}:{admin.pk}",
                team=admin.team,
                user=admin,
                title=f"{sender.get_username()} opened more involvements than it may",
                body=(
                    f"The agency system account {sender.get_username()}"
                    f" ({sender.team.agency.name if sender.team else 'no agency'}) opened"
                    f" {settings.SYSTEM_INVOLVEMENTS_PER_HOUR} or more involvements in the"
                    " last hour. What it opens now waits for a manager of the team, the"
                    " child's lead professional or a MASH manager to confirm. Check the"
                    " system, and revoke its token if it is not behaving."
                ),
            )
            for admin in administrators()
        ]
    )


def involvements_clock_tick(now: datetime | None = None) -> dict[str, int]:
    """A tick: what nobody confirmed in time lapses, each once, and the practitioner is
    told."""
    now = now or timezone.now()
    lapsed = 0
    waiting = Involvement.objects.filter(
        confirmation=Confirmation.AWAITING, ended_on__isnull=True, confirm_by__lte=now
    ).select_related("team__agency", "person", "recorded_by", "practitioner")
    for involvement in waiting:
        days = settings.INVOLVEMENT_CONFIRM_DAYS
        reason = f"Lapsed: nobody confirmed it within {days} days"
        with transaction.atomic():
            if not Involvement.objects.filter(
                pk=involvement.pk, confirmation=Confirmation.AWAITING, ended_on__isnull=True
            ).update(ended_on=timezone.localdate(now), end_reason=reason):
                continue
            involvement.refresh_from_db()
            hooks_run("INVOLVEMENT_CHANGED", involvement)
            _recorder_told(involvement, reason + ".")
            lapsed += 1
    return {"involvements_lapsed": lapsed}


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
    *,
    involvement: Involvement,
    ended_on: date,
    reason: str,
    by: User,
    expected: dict[str, Any] | None = None,
    refused: tuple[str, str] = ("ended_on", "Someone else has just ended this involvement"),
) -> Involvement:
    """Store that an involvement ended (checked by the caller: a practitioner's
    `involvement_end`, or the MASH when the last case of its enquiry closes); the apps
    above hear of it in the same transaction (`INVOLVEMENT_CHANGED`). It ends once: the
    row is claimed while it is still open (and as `expected`), else `refused`."""
    with transaction.atomic():
        now = timezone.now()
        claim(
            Involvement,
            involvement.pk,
            expected={"ended_on__isnull": True, **(expected or {})},
            changes={
                "ended_on": ended_on,
                "end_reason": reason,
                "modified_by": by,
                "modified_on": now,
            },
            field=refused[0],
            refused=refused[1],
        )
        involvement.ended_on, involvement.end_reason = ended_on, reason
        involvement.modified_by, involvement.modified_on = by, now
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
    module's docstring). Calling it again for the same involvement writes nothing.

    They say no more than the flag would: a sensitive involvement (CAMHS, a police
    investigation, youth justice: `SENSITIVE_CAPACITIES`) is named only as its agency,
    and only to those who work with the child themself, never to a household member's
    agencies; the newcomer hears of a household member's sensitive involvement not at
    all."""
    child = involvement.person
    sensitive = involvement.capacity in SENSITIVE_CAPACITIES
    circle = [child] if sensitive else [child, *household_of(child, for_alerts=True)]
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

    agency = involvement.team.agency
    if sensitive:
        started = f"{agency.name} started working with {child.name_and_birth}"
        newcomer = ", ".join(p for p in (agency.name, agency.phone, agency.email) if p)
    else:
        started = (
            f"{involvement.team.name} ({agency.name}) started working with"
            f" {child.name_and_birth}, in {involvement.capacity_in_sentence}"
        )
        newcomer = contact_line(involvement)
    when = f"on {involvement.started_on:%-d %B %Y}"
    if involvement.confirmation == Confirmation.AWAITING:
        when += " (so they say: a manager is yet to confirm it)"
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
                title=f"{agency.name} is now involved with {child.full_name}",
                body=(f"{started}, {when}.\nContact: {newcomer}.\nYou are told because {why}."),
            )
        )
    newcomers = _already_involved(involvement, list(recipients.values()))
    return alerts_store(alerts + newcomers, involvement=involvement)


def _already_involved(involvement: Involvement, recipients: list[_Recipient]) -> list[Alert]:
    """What the newcomer is told of who already works with the child and the people
    they live with. Until someone confirms the involvement (`Confirmation.AWAITING`) it
    opens nothing, so the newcomer hears no more than the flag says: who works with
    the child; who works with the household follows on confirmation
    (`household_involved_alert`)."""
    child = involvement.person
    awaiting = involvement.confirmation == Confirmation.AWAITING
    involvements = [
        other
        for recipient in recipients
        for other in recipient.involvements
        if not awaiting or other.person_id == child.pk
    ]
    if not involvements:
        return []
    lines, lead = _involved_lines(child, involvements)
    if awaiting:
        title = f"Others already work with {child.full_name}"
        body = (
            f"Already working with {child.name_and_birth}:\n" + "\n".join(lines) + f"\n{lead}"
            f"\nWho works with the people {child.given_name} lives with is sent to you once"
            " a manager confirms your team's work with them."
        )
    else:
        title = f"Others already work with {child.full_name} and their household"
        body = (
            f"Already working with {child.name_and_birth} and the people they live with:\n"
            + "\n".join(lines)
            + f"\n{lead}"
        )
    return [_to_newcomer(involvement, AlertKind.ALREADY_INVOLVED, title, body)]


def _to_newcomer(involvement: Involvement, kind: str, title: str, body: str) -> Alert:
    return Alert(
        kind=kind,
        team_id=involvement.team_id,
        user_id=involvement.practitioner_id,
        person=involvement.person,
        involvement=involvement,
        title=title,
        body=body,
    )


def household_involved_alert(involvement: Involvement) -> list[Alert]:
    """Once an involvement is confirmed: who works with the people the child lives with,
    which the newcomer was not told while it waited (a household member's sensitive
    involvement never). Written in the caller's transaction; once per involvement."""
    child = involvement.person
    household = household_of(child, for_alerts=True)
    others = list(
        Involvement.objects.counting()
        .filter(person__in=household, ended_on__isnull=True)
        .exclude(team=involvement.team_id)
        .exclude(capacity__in=SENSITIVE_CAPACITIES)
        .select_related("team__agency", "practitioner", "person")
        .order_by("started_on", "pk")
    )
    if not others:
        return []
    lines, lead = _involved_lines(child, others)
    alert = _to_newcomer(
        involvement,
        AlertKind.HOUSEHOLD_INVOLVED,
        f"Who works with the people {child.full_name} lives with",
        f"Your team's work with {child.name_and_birth} is confirmed. Already working with"
        " the people they live with:\n" + "\n".join(lines) + f"\n{lead}",
    )
    return alerts_store([alert], involvement=involvement, kind=AlertKind.HOUSEHOLD_INVOLVED)


def _involved_lines(child: Person, involvements: list[Involvement]) -> tuple[list[str], str]:
    """A line for each involvement, and who the lead professional is."""
    lines = []
    leads = []
    for other in involvements:
        whom = other.person.full_name
        if other.capacity in SENSITIVE_CAPACITIES:
            if other.person_id != child.pk:
                continue  # a household member's: nothing of it to the newcomer
            agency = other.team.agency
            reach = ", ".join(p for p in (agency.name, agency.phone, agency.email) if p)
            lines.append(f"- {agency.name} works with {whom}: {reach}")
            continue
        lines.append(
            f"- {other.get_capacity_display()} with {whom}"
            f" since {other.started_on:%-d %B %Y}: {contact_line(other)}"
        )
        if other.is_lead_professional:
            leads.append(f"{contact_line(other)} ({whom})")
    whose = {other.person_id for other in involvements} - {child.pk}
    lead = (
        "Lead professional: " + "; ".join(leads)
        if leads
        else "No lead professional is recorded for the child"
        + (" or their household." if whose else ".")
    )
    return lines, lead
