"""Early help episodes, written.

Anyone who does casework in a team and knows of the child (any agency: a school, a
health visitor, a voluntary sector worker, a family hub) asks for early help
(`episode_request`), naming the lead professional: a practitioner of any agency whose
team does early help work (`involvements.models.CAPACITIES_BY_SERVICE`). So does the
MASH, when its decision is early help (`episode_from_mash`), and the council's early
help system through the API (`Route.SYSTEM`).

An episode opens only when its lead has accepted (`lead_accept`) and the family's
agreement is recorded: who gave it, when, and what may be shared with whom, given when
it is asked for or when the lead accepts. Asking yourself to lead is accepting. Until
then it waits; the named lead is told, may decline saying why (`lead_decline`), and
the one who asked is told and names someone else (`lead_offer`). An episode still
waiting `EARLY_HELP_LEAD_WORKING_DAYS` working days after it was asked for is
escalated once, by the clock (`early_help_clock_tick`), to the managers of the early
help service, who broker a lead.

One lead per child, never a gap: a child has one live episode at a time, its accepted
lead holds the child's lead professional involvement (the register's rule of one), and
the lead hands over by offering the role (`lead_offer`): their role and involvement end
at the moment the new lead accepts, in the same transaction, never before.

Every write checks who may do it, validates everything at once (a `ValidationError` by
field), claims its row first (`tellonce.core.claims`), and writes in one transaction
with its audit entry, chronology entry and alerts (the outbox).

Nobody leading. When two or more agencies work with a child (their current
involvements, leaving out a GP, an A&E visit and the MASH's enquiry), at least one of
them beyond a universal service (`TARGETED`: CAMHS, early help, housing, the voluntary
sector, youth justice, the police), with no lead professional, no social worker
(`STATUTORY`) and no early help asked for, TellOnce notices it as the involvements
change (`no_lead_check`, on `INVOLVEMENT_CHANGED`): each team involved is told who
else works with the child (a sensitive involvement named by its agency alone) and asked
to agree a lead. Still so after `EARLY_HELP_BROKER_WORKING_DAYS`, the early help
service's managers are asked to broker one, once (`early_help_clock_tick`). The notice
resolves when a lead or early help comes, or the agencies fall below two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tellonce.access.policy import Level, access_for
from tellonce.accounts.selectors import managers_of
from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import alerts_write
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.chronology.models import EventKind
from tellonce.chronology.services import chronology_entry_write
from tellonce.core.claims import claim
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.earlyhelp.models import (
    LIVE_STATES,
    Closure,
    Episode,
    EpisodeState,
    LeadRole,
    LeadState,
    NoLeadNotice,
    Route,
)
from tellonce.involvements.models import (
    SENSITIVE_CAPACITIES,
    Capacity,
    Confirmation,
    Involvement,
    capacity_problem,
)
from tellonce.involvements.services import (
    involvement_close,
    involvement_start,
    lead_professional,
    person_hold,
)
from tellonce.organisations.models import Service, Team
from tellonce.people.models import Person

if TYPE_CHECKING:
    from tellonce.accounts.models import User


def _audit(via: Via, user: User, obj: Any, change: str, person: Person, **detail: Any) -> None:
    audit_via(
        via, user=user, action=Action.CHANGE, person=person, obj=obj, detail={"change": change}
    )


def episode_link(episode: Episode) -> str:
    return f"/early-help/{episode.pk}/"


def _event(episode: Episode, summary: str, *, user: User, ref: str) -> None:
    team = user.team
    chronology_entry_write(
        kind=EventKind.EARLY_HELP,
        person=episode.person,
        moment=timezone.now(),
        summary=summary,
        agency=team.agency if team is not None else episode.requesting_team.agency,
        recorder=user,
        reference=f"early-help-{episode.pk}-{ref}",
    )


def _who(user: User) -> str:
    return f"{user.get_full_name()}, {user.team.named}" if user.team else user.get_full_name()


# ----- checks -----------------------------------------------------------------------


@dataclass
class Consent:
    """The family's agreement to early help."""

    given_on: date | None = None
    given_by: str = ""
    to_share: str = ""

    @property
    def any(self) -> bool:
        return bool(self.given_on or self.given_by.strip() or self.to_share.strip())


def consent_problems(consent: Consent, *, person: Person, required: bool) -> dict[str, str]:
    """What is missing or wrong in the family's agreement; all of it is needed once any
    of it is given, or when `required`."""
    if not (required or consent.any):
        return {}
    problems: dict[str, str] = {}
    if consent.given_on is None:
        problems["consent_given_on"] = "Enter the date the family agreed to early help"
    elif consent.given_on > timezone.localdate():
        problems["consent_given_on"] = "The date the family agreed must be today or in the past"
    elif person.date_of_birth and consent.given_on < person.date_of_birth:
        problems["consent_given_on"] = (
            f"The date the family agreed must be after {person.given_name} was born"
        )
    if len(consent.given_by.strip()) < 3:
        problems["consent_given_by"] = (
            "Say who agreed and who they are to the child, for example 'Amina Taylor, mother'"
        )
    if len(consent.to_share.strip()) < 10:
        problems["consent_to_share"] = "Say what the family agreed may be shared, and with whom"
    return problems


def lead_problem(lead: User | None, person: Person) -> str:
    """Why `lead` cannot lead the child's early help, or nothing."""
    if lead is None:
        return "Name the lead professional: early help cannot open without one"
    if lead.is_system_account or lead.team is None or not lead.is_active:
        return "The lead professional must be a practitioner in a team"
    team = lead.team
    problem = capacity_problem(
        service=team.service,
        agency_kind=team.agency.kind,
        team_name=team.name,
        capacity=Capacity.EARLY_HELP,
    )
    if problem:
        return f"{lead.get_full_name()} cannot lead early help: {problem}"
    current = lead_professional(person)
    if current is not None and current.practitioner_id != lead.pk and not _episode_lead(current):
        return (
            f"{current.practitioner or current.team} is the lead professional for"
            f" {person.full_name}: they must hand over first"
        )
    return ""


def _episode_lead(involvement: Any) -> bool:
    return LeadRole.objects.filter(involvement=involvement, state=LeadState.ACCEPTED).exists()


def live_episode(person: Person | Any) -> Episode | None:
    """The child's early help now (waiting for its lead, or open), if any."""
    return (
        Episode.objects.filter(person=person, state__in=LIVE_STATES)
        .select_related("person", "requesting_team__agency")
        .first()
    )


def current_lead(episode: Episode) -> LeadRole | None:
    return (
        episode.leads.filter(state=LeadState.ACCEPTED)
        .select_related("practitioner__team__agency", "team__agency")
        .first()
    )


def open_offer(episode: Episode) -> LeadRole | None:
    return (
        episode.leads.filter(state=LeadState.OFFERED)
        .select_related("practitioner__team__agency", "team__agency", "offered_by")
        .first()
    )


# ----- asking for early help --------------------------------------------------------


@dataclass
class EpisodeRequest:
    reason: str
    lead: User | None
    consent: Consent
    external_ref: str = ""
    #: From an agency's own early help system only: its record says the lead, one of
    #: that agency's practitioners, has accepted (the system of record knows).
    lead_accepted: bool = False


def _require_requester(user: User, person: Person) -> Team:
    team = user.team
    if team is None or not user.does_casework:
        raise PermissionDenied("Early help is asked for by practitioners and agency systems")
    if access_for(user, person).level == Level.NONE:
        raise PermissionDenied("You may not ask for early help for this person")
    return team


def episode_request(
    *,
    user: User,
    person: Person,
    request: EpisodeRequest,
    via: Via,
    route: str = Route.PRACTITIONER,
) -> Episode:
    """Ask for early help for the child, naming its lead professional; it opens at once
    when the user names themself (with the family's agreement), else when the lead
    accepts."""
    team = _require_requester(user, person)
    if user.is_system_account:
        route = Route.SYSTEM
    problems: dict[str, str] = {}
    if not person.is_child:
        problems["person"] = "Early help is for children: this person is an adult"
    if len(request.reason.strip()) < 20:
        problems["reason"] = "Say what the family needs help with and why now, in a sentence or two"
    problem = lead_problem(request.lead, person)
    if problem:
        problems["lead"] = problem
    accepted = request.lead == user or request.lead_accepted
    if request.lead_accepted and not (
        user.is_system_account
        and request.lead is not None
        and request.lead.team is not None
        and request.lead.team.agency_id == user.agency_id
    ):
        problems["lead_accepted"] = (
            "Only the lead professional's own agency's system can say they have accepted"
        )
    problems.update(consent_problems(request.consent, person=person, required=accepted))
    existing = live_episode(person)
    if existing is not None:
        problems["person"] = (
            f"{person.full_name} already has early help (asked for on"
            f" {timezone.localtime(existing.requested_on):%-d %B %Y}): see it in TellOnce"
        )
    if problems:
        raise ValidationError(problems)
    assert request.lead is not None
    with transaction.atomic():
        person_hold(person.pk)
        try:
            with transaction.atomic():
                episode = Episode.objects.create(
                    person=person,
                    route=route,
                    requested_by=user,
                    requesting_team=team,
                    reason=request.reason.strip(),
                    external_ref=request.external_ref.strip(),
                    created_by=user,
                    **_consent_fields(request.consent, user),
                )
        except IntegrityError:
            raise ValidationError(
                {"person": f"{person.full_name} already has early help: see it in TellOnce"}
            ) from None
        _event(
            episode,
            # The family's needs stay on the episode: the chronology says who and when.
            f"Early help asked for by {_who(user)}; {_who(request.lead)} asked to lead.",
            user=user,
            ref="requested",
        )
        role = _offer(episode, request.lead, user)
        _audit(via, user, episode, "early help asked for", person)
        if accepted:
            _accept(role, user, via)
        _asked_for(person)
    episode.refresh_from_db()
    return episode


def _consent_fields(consent: Consent, user: User) -> dict[str, Any]:
    if not consent.any:
        return {}
    return {
        "consent_given_on": consent.given_on,
        "consent_given_by": consent.given_by.strip(),
        "consent_to_share": consent.to_share.strip(),
        "consent_recorded_by": user,
    }


def _offer(episode: Episode, lead: User, by: User) -> LeadRole:
    assert lead.team is not None
    role = LeadRole.objects.create(
        episode=episode, practitioner=lead, team=lead.team, offered_by=by, created_by=by
    )
    if lead != by:
        person = episode.person
        alerts_write(
            [
                Alert(
                    kind=AlertKind.EARLY_HELP_LEAD_ASKED,
                    key=f"early-help:{episode.pk}:asked-{role.pk}",
                    team=lead.team,
                    user=lead,
                    person=person,
                    link=episode_link(episode),
                    title=f"Will you lead early help for {person.full_name}?",
                    body=f"{_who(by)} asks you to be the lead professional for"
                    f" {person.given_name}'s early help. Accept or decline it in TellOnce:"
                    " early help opens only when its lead accepts.",
                )
            ]
        )
    return role


def episode_from_mash(*, user: User, person: Person, lead: User, reason: str, via: Via) -> Episode:
    """The MASH's decision of early help, signed off by `user`: the episode waits for
    the named lead to accept and record the family's agreement. (The MASH checked the
    lead with `lead_problem` when the decision was proposed.)"""
    existing = live_episode(person)
    if existing is not None:
        return existing
    team = user.team
    assert team is not None
    with transaction.atomic():
        episode = Episode.objects.create(
            person=person,
            route=Route.MASH,
            requested_by=user,
            requesting_team=team,
            reason=reason.strip(),
            created_by=user,
        )
        _event(
            episode,
            f"The MASH decided on early help; {_who(lead)} asked to lead.",
            user=user,
            ref="requested",
        )
        role = _offer(episode, lead, user)
        _audit(via, user, episode, "early help asked for", person)
        if lead == user:
            _accept(role, user, via)
        _asked_for(person)
    return episode


# ----- the lead's answer ------------------------------------------------------------


def _require_offered(user: User, role: LeadRole) -> None:
    if role.practitioner_id != user.pk:
        raise PermissionDenied("Only the practitioner asked to lead can answer")
    if role.state != LeadState.OFFERED or not role.episode.is_live:
        raise ValidationError({"answer": "This request to lead has already been answered"})


def lead_accept(
    *, user: User, role: LeadRole, via: Via, consent: Consent | None = None
) -> LeadRole:
    """The practitioner asked accepts the lead, with the family's agreement if it is not
    yet recorded; a lead before them hands over at this moment."""
    _require_offered(user, role)
    episode = role.episode
    consent = consent or Consent()
    problems = consent_problems(consent, person=episode.person, required=not episode.has_consent)
    problem = lead_problem(user, episode.person)
    if problem:
        problems["answer"] = problem
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        if consent.any:
            Episode.objects.filter(pk=episode.pk).update(**_consent_fields(consent, user))
            episode.refresh_from_db()
        _accept(role, user, via)
    return role


def _accept(role: LeadRole, by: User, via: Via) -> None:
    """The role accepted (by its practitioner, or by their agency's system for them)."""
    lead = role.practitioner
    episode = role.episode
    person = episode.person
    now = timezone.now()
    person_hold(person.pk)
    before = (
        LeadRole.objects.filter(episode=episode, state=LeadState.ACCEPTED)
        .select_related("practitioner", "involvement")
        .first()
    )
    if before is not None:
        # The handover: the lead before ends at the moment this one starts.
        claim(
            LeadRole,
            before.pk,
            expected={"state": LeadState.ACCEPTED},
            changes={
                "state": LeadState.ENDED,
                "ended_on": now,
                "end_reason": f"Handed over to {lead.get_full_name()}",
                "modified_by": by,
            },
            field="answer",
            refused="The lead has just changed: reload the episode",
        )
        if before.involvement is not None and before.involvement.ended_on is None:
            involvement_close(
                involvement=before.involvement,
                ended_on=timezone.localdate(),
                reason=f"Handed over the lead professional role to {_who(lead)}",
                by=by,
            )
    # Then the new lead, at the same moment (one accepted lead at a time).
    claim(
        LeadRole,
        role.pk,
        expected={"state": LeadState.OFFERED},
        changes={"state": LeadState.ACCEPTED, "answered_on": now, "modified_by": by},
        field="answer",
        refused="This request to lead has already been answered",
    )
    current = lead_professional(person)
    if current is not None and current.practitioner_id == lead.pk:
        involvement = current
    else:
        assert lead.team is not None
        involvement = involvement_start(
            person=person,
            team=lead.team,
            practitioner=lead,
            capacity=Capacity.EARLY_HELP,
            is_lead_professional=True,
            source_agency=lead.team.agency,
            source_system=TELLONCE_SYSTEM,
            recorded_by=by,
            created_by=by,
            confirmation=Confirmation.TELLONCE,
        )
    LeadRole.objects.filter(pk=role.pk).update(involvement=involvement)
    role.state, role.answered_on, role.involvement = LeadState.ACCEPTED, now, involvement
    opened = episode.state == EpisodeState.AWAITING_LEAD
    if opened:
        claim(
            Episode,
            episode.pk,
            expected={"state": EpisodeState.AWAITING_LEAD},
            changes={"state": EpisodeState.OPEN, "opened_on": now, "modified_by": by},
            field="answer",
            refused="This episode has just changed: reload it",
        )
        episode.state, episode.opened_on = EpisodeState.OPEN, now
    _event(
        episode,
        (
            f"Early help opened: {_who(lead)} is the lead professional."
            if opened
            else f"{_who(lead)} took over as the lead professional from"
            f" {before.practitioner.get_full_name() if before else 'the lead before'}."
        ),
        user=by,
        ref=f"lead-{role.pk}",
    )
    told = {lead.pk, by.pk}
    alerts = []
    for who in (before.practitioner if before else None, episode.requested_by):
        if who is None or who.pk in told or who.team is None or who.is_system_account:
            continue
        told.add(who.pk)
        alerts.append(
            Alert(
                kind=AlertKind.EARLY_HELP_LEAD_ANSWERED,
                key=f"early-help:{episode.pk}:accepted-{role.pk}",
                team=who.team,
                user=who,
                person=person,
                link=episode_link(episode),
                title=f"{lead.get_full_name()} now leads early help for {person.full_name}",
                body=f"{_who(lead)} accepted the lead professional role for"
                f" {person.given_name}'s early help.",
            )
        )
    alerts_write(alerts)
    _audit(via, by, role, "lead professional accepted", person)


def lead_decline(*, user: User, role: LeadRole, reason: str, via: Via) -> LeadRole:
    """The practitioner asked declines the lead, saying why; whoever asked is told and
    names someone else."""
    _require_offered(user, role)
    if len(reason.strip()) < 10:
        raise ValidationError({"decline_reason": "Say why you cannot lead, in a sentence"})
    episode = role.episode
    with transaction.atomic():
        claim(
            LeadRole,
            role.pk,
            expected={"state": LeadState.OFFERED},
            changes={
                "state": LeadState.DECLINED,
                "answered_on": timezone.now(),
                "decline_reason": reason.strip(),
                "modified_by": user,
            },
            field="answer",
            refused="This request to lead has already been answered",
        )
        asker = role.offered_by
        if asker.team is not None and not asker.is_system_account and asker != user:
            alerts_write(
                [
                    Alert(
                        kind=AlertKind.EARLY_HELP_LEAD_ANSWERED,
                        key=f"early-help:{episode.pk}:declined-{role.pk}",
                        team=asker.team,
                        user=asker,
                        person=episode.person,
                        link=episode_link(episode),
                        title=f"{user.get_full_name()} cannot lead early help for"
                        f" {episode.person.full_name}",
                        body=f"{_who(user)} declined: {reason.strip()}\nName another lead"
                        " professional in TellOnce.",
                    )
                ]
            )
        _audit(via, user, role, "lead professional declined", episode.person)
    role.refresh_from_db()
    return role


# ----- asking someone (else) to lead ------------------------------------------------


def is_broker(user: User) -> bool:
    """A manager of the early help service, who may ask anyone to lead any episode."""
    team = user.team
    return (
        team is not None
        and team.service == Service.EARLY_HELP
        and user.is_manager
        and not user.is_system_account
    )


def may_offer(user: User, episode: Episode) -> bool:
    """Who may ask someone to lead: the lead (to hand over), whoever asked for the
    episode while it waits, and the early help service's managers."""
    if not episode.is_live or user.is_system_account:
        return False
    lead = current_lead(episode)
    if lead is not None:
        return lead.practitioner_id == user.pk or is_broker(user)
    return (
        episode.requested_by_id == user.pk
        or (user.team_id is not None and user.team_id == episode.requesting_team_id)
        or is_broker(user)
    )


def lead_offer(*, user: User, episode: Episode, lead: User | None, via: Via) -> LeadRole:
    """Ask `lead` to lead the episode (a handover, when it has a lead); an earlier
    unanswered request is withdrawn."""
    if not may_offer(user, episode):
        raise PermissionDenied("You may not ask someone to lead this early help")
    problems: dict[str, str] = {}
    problem = lead_problem(lead, episode.person)
    current = current_lead(episode)
    if problem:
        problems["lead"] = problem
    elif lead is not None and current is not None and current.practitioner_id == lead.pk:
        problems["lead"] = f"{lead.get_full_name()} already leads this early help"
    waiting = open_offer(episode)
    if lead is not None and waiting is not None and waiting.practitioner_id == lead.pk:
        problems["lead"] = f"{lead.get_full_name()} has already been asked and not yet answered"
    if problems:
        raise ValidationError(problems)
    assert lead is not None
    with transaction.atomic():
        if waiting is not None:
            claim(
                LeadRole,
                waiting.pk,
                expected={"state": LeadState.OFFERED},
                changes={"state": LeadState.WITHDRAWN, "answered_on": timezone.now()},
                field="lead",
                refused="The request to lead has just been answered: reload the episode",
            )
        role = _offer(episode, lead, user)
        _audit(via, user, role, "lead professional asked", episode.person)
        # Naming yourself is accepting, once the family's agreement is recorded; else
        # the request waits for your own answer, with it.
        if lead == user and episode.has_consent:
            _accept(role, user, via)
    return role


# ----- closing ----------------------------------------------------------------------


def may_close(user: User, episode: Episode) -> bool:
    """The lead closes open early help; whoever asked for it (or the early help
    service's managers) closes one still waiting for its lead, when it is not needed."""
    if not episode.is_live or user.is_system_account:
        return False
    if is_broker(user):
        return True
    lead = current_lead(episode)
    if lead is not None:
        return lead.practitioner_id == user.pk
    return episode.requested_by_id == user.pk or (
        user.team_id is not None and user.team_id == episode.requesting_team_id
    )


def episode_close(*, user: User, episode: Episode, closure: str, reason: str, via: Via) -> Episode:
    """Close the episode saying how and why: the lead's role and lead professional
    involvement end with it, and any request to lead still unanswered is withdrawn."""
    if not may_close(user, episode):
        raise PermissionDenied("The lead professional closes this early help")
    problems: dict[str, str] = {}
    if closure not in Closure.values:
        problems["closure"] = "Choose why early help is closing"
    if len(reason.strip()) < 20:
        problems["close_reason"] = (
            "Say what changed for the family and what happens next, in a sentence or two"
        )
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    with transaction.atomic():
        claim(
            Episode,
            episode.pk,
            expected={"state__in": LIVE_STATES},
            changes={
                "state": EpisodeState.CLOSED,
                "closed_on": now,
                "closed_by": user,
                "closure": closure,
                "close_reason": reason.strip(),
                "modified_by": user,
            },
            field="closure",
            refused="Someone else has just closed this early help: reload it",
        )
        label = Closure(closure).label
        for role in episode.leads.filter(state__in=(LeadState.OFFERED, LeadState.ACCEPTED)):
            accepted = role.state == LeadState.ACCEPTED
            LeadRole.objects.filter(pk=role.pk).update(
                state=LeadState.ENDED if accepted else LeadState.WITHDRAWN,
                ended_on=now if accepted else None,
                answered_on=role.answered_on or now,
                end_reason="Early help closed" if accepted else "",
                modified_by=user,
            )
            involvement = role.involvement
            if accepted and involvement is not None and involvement.ended_on is None:
                involvement_close(
                    involvement=involvement,
                    ended_on=timezone.localdate(),
                    reason=f"Early help closed: {label.lower()}",
                    by=user,
                )
        episode.refresh_from_db()
        _event(
            episode,
            f"Early help closed by {_who(user)}: {label.lower()}.",
            user=user,
            ref="closed",
        )
        _audit(via, user, episode, "early help closed", episode.person)
    return episode


def closed_within(person: Person | Any, *, before: datetime, days: int = 365) -> Episode | None:
    """The child's early help that closed in the `days` before `before` (a new contact
    now is a re-referral after early help), the latest."""
    return (
        Episode.objects.filter(
            person=person,
            state=EpisodeState.CLOSED,
            closed_on__lt=before,
            closed_on__gte=before - timedelta(days=days),
        )
        .select_related("closed_by__team__agency")
        .order_by("-closed_on")
        .first()
    )


# ----- the clock --------------------------------------------------------------------


def early_help_clock_tick(now: datetime | None = None) -> dict[str, int]:
    """Escalate, once each, the episodes still waiting for a lead past their time."""
    now = now or timezone.now()
    escalated = 0
    waiting = Episode.objects.filter(
        state=EpisodeState.AWAITING_LEAD, lead_escalated_on__isnull=True
    ).select_related("person", "requesting_team__agency")
    brokers = _recipients(Team.objects.filter(service=Service.EARLY_HELP).select_related("agency"))
    for episode in waiting.iterator():
        if episode.lead_due > now:
            continue
        with transaction.atomic():
            try:
                claim(
                    Episode,
                    episode.pk,
                    expected={"lead_escalated_on__isnull": True},
                    changes={"lead_escalated_on": now},
                    field="lead",
                    refused="escalated already",
                )
            except ValidationError:
                continue
            alerts_write(_broker_alerts(episode, brokers))
            escalated += 1
    return {
        "early_help_leads_escalated": escalated,
        "no_lead_notices_escalated": _notices_escalate(now, brokers),
    }


def _recipients(teams: Iterable[Team]) -> list[tuple[Team, User | None]]:
    """Who a late thing goes to in each team: its managers (`managers_of`), each in their
    own team; else the team itself."""
    found: list[tuple[Team, User | None]] = []
    for team in teams:
        managers = managers_of(team)
        found += [(m.team or team, m) for m in managers] if managers else [(team, None)]
    return found


def _broker_alerts(episode: Episode, brokers: list[tuple[Team, User | None]]) -> list[Alert]:
    person = episode.person
    days = settings.EARLY_HELP_LEAD_WORKING_DAYS
    alerts = []
    for team, manager in brokers or _recipients([episode.requesting_team]):
        alerts.append(
            Alert(
                kind=AlertKind.EARLY_HELP_NO_LEAD,
                key=f"early-help:{episode.pk}:no-lead",
                team=team,
                user=manager,
                person=person,
                link=episode_link(episode),
                title=f"Early help for {person.full_name} has no lead after {days} working days",
                body=f"Early help was asked for by {_who(episode.requested_by)} and no"
                " lead professional has accepted. Find one and ask them in TellOnce.",
            )
        )
    return alerts


# ----- two or more agencies, and nobody leads ---------------------------------------

#: Involvements that say nothing of a need: everyone has a GP; an A&E visit; the MASH
#: deciding what happens next.
NOT_WORK = frozenset({Capacity.GP, Capacity.AE_ATTENDANCE, Capacity.MASH_ENQUIRY})
#: Work beyond a universal service (a school's roll, health visiting, school nursing):
#: at least one of the agencies must be doing one of these for TellOnce to notice.
TARGETED = frozenset(
    {
        Capacity.CAMHS,
        Capacity.EARLY_HELP,
        Capacity.HOUSING,
        Capacity.VOLUNTARY_SERVICE,
        Capacity.YOUTH_JUSTICE,
        Capacity.POLICE_INVESTIGATION,
    }
)
#: Statutory social work: a social worker leads.
STATUTORY = frozenset(
    {
        Capacity.CHILD_IN_NEED,
        Capacity.CHILD_PROTECTION,
        Capacity.LOOKED_AFTER,
        Capacity.LEAVING_CARE,
    }
)


def uncoordinated(person: Person) -> list[Involvement]:
    """The involvements of a child whom two or more agencies work with, one of them
    beyond a universal service, with no lead professional, no social worker and no
    early help asked for; else nothing."""
    if not person.is_child or live_episode(person) is not None:
        return []
    current = list(
        Involvement.objects.current()
        .counting()
        .filter(person=person)
        .exclude(capacity__in=NOT_WORK)
        .select_related("team__agency", "practitioner")
        .order_by("started_on", "pk")
    )
    if any(i.is_lead_professional or i.capacity in STATUTORY for i in current):
        return []
    agencies = {i.team.agency_id for i in current}
    if len(agencies) < settings.EARLY_HELP_NO_LEAD_AGENCIES:
        return []
    if not any(i.capacity in TARGETED for i in current):
        return []
    return current


def live_notice(person: Person) -> NoLeadNotice | None:
    return NoLeadNotice.objects.filter(person=person, resolved_on__isnull=True).first()


def no_lead_check(involvement: Involvement) -> NoLeadNotice | None:
    """`INVOLVEMENT_CHANGED`: notice (once) that nobody leads the child's help now, and
    tell each team involved; or resolve the notice that no longer holds."""
    return no_lead_notice_for(involvement.person)


def no_lead_notice_for(person: Person, *, now: datetime | None = None) -> NoLeadNotice | None:
    """The child's notice as it now stands: made and told, resolved, or left be."""
    now = now or timezone.now()
    involved = uncoordinated(person)
    notice = live_notice(person)
    if not involved:
        if notice is not None:
            _notice_resolve(notice, now)
        return None
    if notice is not None:
        return notice
    with transaction.atomic():
        try:
            with transaction.atomic():
                notice = NoLeadNotice.objects.create(
                    person=person,
                    noticed_on=now,
                    agencies=len({i.team.agency_id for i in involved}),
                )
        except IntegrityError:
            return live_notice(person)
        alerts_write(_no_lead_alerts(notice, involved))
    return notice


def _asked_for(person: Person) -> None:
    """Early help was asked for: nobody leading is now in hand (the episode's own
    escalation takes over)."""
    notice = live_notice(person)
    if notice is not None:
        _notice_resolve(notice, timezone.now())


def _notice_resolve(notice: NoLeadNotice, now: datetime) -> None:
    person = notice.person
    if lead_professional(person) is not None:
        why = "A lead professional was named"
    elif live_episode(person) is not None:
        why = "Early help was asked for"
    else:
        why = "Fewer agencies work with the child, or a social worker does"
    NoLeadNotice.objects.filter(pk=notice.pk, resolved_on__isnull=True).update(
        resolved_on=now, resolution=why
    )


def _named_for_others(involvement: Involvement) -> str:
    """An involvement as the flag names it: a sensitive one by its agency alone."""
    if involvement.capacity in SENSITIVE_CAPACITIES:
        return involvement.team.agency.name
    return f"{involvement.team.named}, {involvement.get_capacity_display().lower()}"


def _no_lead_alerts(notice: NoLeadNotice, involved: list[Involvement]) -> list[Alert]:
    person = notice.person
    alerts, told = [], set()
    for involvement in involved:
        if involvement.team_id in told:
            continue
        told.add(involvement.team_id)
        others = sorted(
            {_named_for_others(i) for i in involved if i.team_id != involvement.team_id}
        )
        alerts.append(
            Alert(
                kind=AlertKind.EARLY_HELP_NO_LEAD,
                key=f"no-lead:{notice.pk}",
                team=involvement.team,
                user=involvement.practitioner,
                person=person,
                link=f"/people/{person.pk}/",
                title=f"Nobody leads the help for {person.full_name}",
                body=f"{notice.agencies} agencies work with {person.given_name} and none is"
                " the lead professional. Working with them too: "
                + "; ".join(others)
                + f".\nAgree who will lead, then ask for early help from {person.given_name}'s"
                " record in TellOnce, naming them.",
            )
        )
    return alerts


def no_lead_sweep(now: datetime | None = None) -> int:
    """Notice every child whom nobody leads (as `no_lead_check` does one at a time): for
    a new installation, or a borough loaded without the hooks. How many were noticed."""
    candidates = (
        Involvement.objects.current()
        .counting()
        .filter(capacity__in=TARGETED)
        .values_list("person_id", flat=True)
        .distinct()
    )
    noticed = 0
    for person in Person.objects.filter(pk__in=candidates).iterator():
        if live_notice(person) is None and no_lead_notice_for(person, now=now) is not None:
            noticed += 1
    return noticed


def _notices_escalate(now: datetime, brokers: list[tuple[Team, User | None]]) -> int:
    """Ask the early help service's managers to broker a lead for each notice still
    holding past its time, once."""
    escalated = 0
    live = NoLeadNotice.objects.filter(
        resolved_on__isnull=True, escalated_on__isnull=True
    ).select_related("person")
    for notice in live.iterator():
        if notice.broker_due > now:
            continue
        if not uncoordinated(notice.person):
            _notice_resolve(notice, now)
            continue
        with transaction.atomic():
            if not NoLeadNotice.objects.filter(pk=notice.pk, escalated_on__isnull=True).update(
                escalated_on=now
            ):
                continue
            person = notice.person
            days = settings.EARLY_HELP_BROKER_WORKING_DAYS
            alerts = []
            for team, manager in brokers:
                alerts.append(
                    Alert(
                        kind=AlertKind.EARLY_HELP_NO_LEAD,
                        key=f"no-lead:{notice.pk}:broker",
                        team=team,
                        user=manager,
                        person=person,
                        link=f"/people/{person.pk}/",
                        title=f"Nobody has led the help for {person.full_name} for {days}"
                        " working days",
                        body=f"{notice.agencies} agencies work with {person.given_name}"
                        " and none has become the lead professional. Broker one: see who"
                        f" works with {person.given_name} on their record.",
                    )
                )
            alerts_write(alerts)
            escalated += 1
    return escalated
