"""Missing children and return home interviews, written.

Any agency reports a child missing (`episode_report`). Unless the police reported it,
the police MASH desk of the reporting team's MASH is told at once, with everything it
needs, and must acknowledge (`police_acknowledge`); if no one has within
`MISSING_POLICE_ACK_MINUTES`, the clock (`missing_clock_tick`) tells the desk's
supervisors (its managers; else the police agency's managers; else the desk itself),
once. The teams involved with the child (the social worker first) are told either way.

When the child returns (`episode_return`) a `ReturnHomeInterview` is due
`RHI_DUE_HOURS` later, counted in real clock hours: missing is around the clock.

Independence. The interview is assigned to a team whose service is
`Service.RETURN_INTERVIEWS` (the borough's independent provider), never to a team or
practitioner on the child's current looked-after, child protection or child in need
involvements (their care). With no such team, it waits unassigned and the MASH is
asked to assign it. A manager of the assigned team or of the MASH may reassign it, to a
team or a named practitioner, with the same check (`interview_assign`).
`RHI_WARN_HOURS` before the deadline an interview not yet done is escalated once to the
assigned team and its managers.

A completed interview (`interview_complete`) is shared in writing with the police desk
and the child's social worker at once; a refusal (`interview_refuse`) is recorded with
the reason and shared the same way. Three or more episodes in 90 days, or signs of
child sexual or criminal exploitation in an interview, flag the child's record and
prompt the MASH to consider a strategy discussion.

Every write checks who may do it, validates everything at once (a `ValidationError`
by field), and writes in one transaction with its audit entry, chronology event and
alerts (the outbox). Each step claims its row first (`tellonce.core.claims`): two
people recording the return, the interview or a withdrawal at the same moment record
it once, and the second is told someone got there first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tellonce.accounts.selectors import managers_of
from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import alerts_write
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.chronology.services import chronology_entry_write
from tellonce.core.claims import claim
from tellonce.core.dates import date_problem, when_said
from tellonce.involvements.models import Capacity, Involvement
from tellonce.missing.models import (
    FlagReason,
    InterviewState,
    MissingEpisode,
    MissingPatternFlag,
    ReturnHomeInterview,
    Risk,
)
from tellonce.missing.selectors import episode_access, episode_hub, in_episode_hub
from tellonce.organisations.models import Agency, AgencyKind, Service, Team

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.people.models import Person

#: The involvements that are the child's care: their social worker's.
CARE_CAPACITIES = (Capacity.LOOKED_AFTER, Capacity.CHILD_PROTECTION, Capacity.CHILD_IN_NEED)
PATTERN_EPISODES = 3
PATTERN_DAYS = 90


def _audit(via: Via, user: User, obj: Any, change: str, person: Person, **detail: Any) -> None:
    audit_via(
        via,
        user=user,
        action=Action.CHANGE,
        person=person,
        obj=obj,
        detail={"change": change, **detail},
    )


def _link(episode: MissingEpisode) -> str:
    return f"/missing/episodes/{episode.pk}/"


def _event(
    episode: MissingEpisode,
    kind: str,
    when: datetime,
    summary: str,
    *,
    agency: Agency,
    user: User | None,
    ref: str,
) -> ChronologyEvent:
    return chronology_entry_write(
        kind=kind,
        person=episode.person,
        moment=when,
        summary=summary,
        agency=agency,
        recorder=user,
        reference=f"missing-{episode.pk}-{ref}",
    )


# ----- who is told ------------------------------------------------------------------


def police_desk_for(team: Team | None) -> Team | None:
    """The police MASH desk of the team's MASH, or the partnership's first."""
    desks = Team.objects.filter(service=Service.POLICE_MASH).select_related("agency")
    hub = team.hub if team is not None else None
    if hub is not None:
        desk = desks.filter(mash=hub).order_by("pk").first()
        if desk is not None:
            return desk
    return desks.order_by("pk").first()


def care_involvements(person: Person) -> list[Involvement]:
    """The child's current looked-after, child protection and child in need
    involvements: who their social worker is."""
    return list(
        Involvement.objects.current()
        .filter(person=person, capacity__in=CARE_CAPACITIES)
        .select_related("team__agency", "practitioner")
        .order_by("started_on", "pk")
    )


def _involved(person: Person) -> list[Involvement]:
    return list(
        Involvement.objects.current()
        .filter(person=person)
        .select_related("team__agency", "practitioner")
        .order_by("started_on", "pk")
    )


def _contact(involvement: Involvement) -> str:
    who = involvement.practitioner.get_full_name() if involvement.practitioner else ""
    team = involvement.team
    parts = [f"{who}, {team.name}" if who else team.name, team.agency.name, team.phone, team.email]
    return ", ".join(p for p in parts if p)


def _episode_summary(episode: MissingEpisode) -> str:
    """What the police need to act: the child, last seen, risk, circumstances, who
    reported it and how to reach them, and the child's social worker."""
    team = episode.reporting_team
    reporter = ", ".join(
        p for p in (episode.reporter_name, episode.reporter_role, team.name, team.agency.name) if p
    )
    care = care_involvements(episode.person)
    social_worker = "; ".join(_contact(i) for i in care) or "none recorded"
    lines = [
        f"Child: {episode.person.name_and_birth}.",
        f"Last seen: {when_said(episode.last_seen_at)}, {episode.last_seen_where}.",
        f"Risk: {episode.get_risk_display()}.",
        f"Circumstances: {episode.circumstances}",
        f"Reported by {reporter} at {when_said(episode.reported_on)}.",
        f"Contact the reporter on {episode.reporter_phone}"
        + (f" (team: {team.contact_line})" if team.contact_line else "")
        + ".",
        f"Social worker: {social_worker}.",
    ]
    if episode.police_ref:
        lines.append(f"Police reference: {episode.police_ref}.")
    return "\n".join(lines)


# ----- reporting --------------------------------------------------------------------


@dataclass
class EpisodeDetails:
    last_seen_at: datetime | None
    last_seen_where: str
    circumstances: str
    risk: str
    reporter_name: str
    reporter_role: str
    reporter_phone: str
    police_ref: str = ""


def last_seen_problem(
    last_seen_at: datetime | None, *, now: datetime, born: date | None = None
) -> str:
    """What is wrong with when the child was last seen, or "" if nothing."""
    if last_seen_at is None:
        return "Enter the date and time the child was last seen"
    if when := date_problem(last_seen_at, born=born, now=now):
        return f"The time the child was last seen {when}"
    if last_seen_at < now - timedelta(days=60):
        return "The child was last seen more than 60 days ago: check the date"
    return ""


def episode_check(
    details: EpisodeDetails, *, now: datetime, born: date | None = None
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if problem := last_seen_problem(details.last_seen_at, now=now, born=born):
        problems["last_seen_at"] = problem
    if not details.last_seen_where.strip():
        problems["last_seen_where"] = "Enter where the child was last seen"
    if len(" ".join(details.circumstances.split())) < 20:
        problems["circumstances"] = (
            "Describe the circumstances: what happened, what they were wearing, who they"
            " might be with"
        )
    if details.risk not in Risk.values:
        problems["risk"] = "Choose the risk: high, medium, low or no apparent risk"
    if not details.reporter_name.strip():
        problems["reporter_name"] = "Enter the name of the person reporting"
    if not details.reporter_phone.strip():
        problems["reporter_phone"] = "Enter a phone number the police can reach you on now"
    return problems


def _require_reporter(user: User, person: Person) -> Team:
    from tellonce.access.policy import Level, access_for

    if not user.does_casework or user.team is None:
        raise PermissionDenied("Missing children are reported by practitioners in a team")
    if access_for(user, person).level == Level.NONE:
        raise PermissionDenied("You may not report this person")
    return user.team


def episode_report(
    *, user: User, person: Person, details: EpisodeDetails, via: Via
) -> MissingEpisode:
    """Record a missing episode; tell the police (unless they reported it) and the
    teams involved with the child, in the same transaction."""
    team = _require_reporter(user, person)
    now = timezone.now()
    problems = episode_check(details, now=now, born=person.date_of_birth)
    if problems:
        raise ValidationError(problems)
    assert details.last_seen_at is not None
    by_police = team.agency.kind == AgencyKind.POLICE
    desk = police_desk_for(team)
    with transaction.atomic():
        episode = MissingEpisode.objects.create(
            person=person,
            reported_on=now,
            reported_by=user,
            reporting_team=team,
            reporter_name=details.reporter_name.strip(),
            reporter_role=details.reporter_role.strip(),
            reporter_phone=details.reporter_phone.strip(),
            last_seen_at=details.last_seen_at,
            last_seen_where=details.last_seen_where.strip(),
            circumstances=details.circumstances.strip(),
            risk=details.risk,
            police_ref=details.police_ref.strip(),
            reported_by_police=by_police,
            police_team=desk,
            police_notified_on=now if desk is not None and not by_police else None,
            # The police know of what they report themselves.
            police_acknowledged_on=now if by_police else None,
            police_acknowledged_by=user if by_police else None,
            created_by=user,
        )
        summary = _episode_summary(episode)
        _event(
            episode,
            EventKind.MISSING,
            episode.last_seen_at,
            f"Reported missing by {team.named}; risk"
            f" {episode.get_risk_display().lower()}. Last seen {episode.last_seen_where}.\n"
            f"{episode.circumstances}",
            agency=team.agency,
            user=user,
            ref="reported",
        )
        alerts = []
        title = f"Missing: {person.full_name} ({episode.get_risk_display().lower()} risk)"
        if desk is not None and not by_police:
            alerts.append(
                Alert(
                    kind=AlertKind.MISSING_REPORTED,
                    key=f"missing:{episode.pk}",
                    team=desk,
                    person=person,
                    link=_link(episode),
                    title=title,
                    body=summary
                    + "\nAcknowledge it in TellOnce so the reporter knows you have it.",
                )
            )
            _event(
                episode,
                EventKind.MISSING,
                now,
                f"TellOnce told {desk.named} that {person.given_name} is missing.",
                agency=team.agency,
                user=user,
                ref="police-notified",
            )
        told = {team.pk} | ({desk.pk} if desk else set())
        for involvement in _involved(person):
            if involvement.team_id in told:
                continue
            told.add(involvement.team_id)
            alerts.append(
                Alert(
                    kind=AlertKind.MISSING_REPORTED,
                    key=f"missing:{episode.pk}",
                    team=involvement.team,
                    user=involvement.practitioner,
                    person=person,
                    link=_link(episode),
                    title=title,
                    body=summary + f"\nYou are told because you work with {person.given_name}"
                    f" ({involvement.get_capacity_display().lower()}).",
                )
            )
        alerts_write(alerts)
        _audit(via, user, episode, "missing episode reported", person, risk=episode.risk)
        _pattern_check(episode, user)
    return episode


def _pattern_check(episode: MissingEpisode, user: User) -> MissingPatternFlag | None:
    since = episode.last_seen_at - timedelta(days=PATTERN_DAYS)
    count = MissingEpisode.objects.filter(
        person=episode.person, last_seen_at__gte=since, last_seen_at__lte=episode.last_seen_at
    ).count()
    if count < PATTERN_EPISODES:
        return None
    return _flag_raise(
        episode.person,
        FlagReason.REPEATED,
        f"{episode.person.full_name} has been missing {count} times in {PATTERN_DAYS} days"
        f" (latest last seen {when_said(episode.last_seen_at)}).",
        user=user,
        episode=episode,
    )


def _flag_raise(
    person: Person,
    reason: str,
    detail: str,
    *,
    user: User,
    episode: MissingEpisode,
    interview: ReturnHomeInterview | None = None,
) -> MissingPatternFlag:
    flag, created = MissingPatternFlag.objects.get_or_create(
        episode=episode,
        reason=reason,
        defaults={"person": person, "detail": detail, "interview": interview, "created_by": user},
    )
    if not created:
        return flag
    body = (
        f"{detail}\nConsider a strategy discussion: the child may be at risk of"
        " significant harm. The flag is on the child's record."
    )
    title = f"{person.full_name}: {flag.get_reason_display().lower()}"
    alerts = []
    hub = episode_hub(episode)
    if hub is not None:
        alerts.append(
            Alert(
                kind=AlertKind.MISSING_PATTERN,
                key=f"missing-flag:{flag.pk}",
                team=hub,
                person=person,
                link=_link(episode),
                title=title,
                body=body,
            )
        )
    for care in care_involvements(person):
        if hub is None or care.team_id != hub.pk:
            alerts.append(
                Alert(
                    kind=AlertKind.MISSING_PATTERN,
                    key=f"missing-flag:{flag.pk}",
                    team=care.team,
                    user=care.practitioner,
                    person=person,
                    link=_link(episode),
                    title=title,
                    body=body,
                )
            )
    alerts_write(alerts)
    return flag


# ----- the police ----------------------------------------------------------------------


def episode_archive(*, user: User, episode: MissingEpisode, reason: str, via: Via) -> None:
    """An episode recorded in error (the wrong child, a duplicate report) is archived
    with the reason, never deleted: with its chronology entries, it leaves the inboxes,
    the worklist, the clock, the pattern count and the figures."""
    access = episode_access(user, episode)
    if user.is_system_account or not (access.police or access.reporter):
        raise PermissionDenied("Only the reporting team or the police desk can withdraw it")
    reason = (reason or "").strip()
    if len(reason) < 15:
        raise ValidationError(
            {"reason": "Say why the episode was recorded in error, for example the wrong child"}
        )
    now = timezone.now()
    with transaction.atomic():
        # The default manager leaves archived episodes out: only one withdrawal archives.
        claim(
            MissingEpisode,
            episode.pk,
            expected={},
            changes={"archived_on": now, "archived_by": user, "archive_reason": reason},
            field="reason",
            refused="This episode has already been withdrawn",
        )
        ChronologyEvent.objects.filter(
            person=episode.person, external_ref__startswith=f"missing-{episode.pk}-"
        ).update(archived_on=now, archived_by=user, archive_reason=reason)
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=episode.person,
            obj=episode,
            reason=reason,
            detail={"change": "missing episode archived"},
        )


def flag_review(*, user: User, flag: MissingPatternFlag, reason: str, via: Via) -> None:
    """A manager who works with the child reviews a flag (for example, after the
    strategy discussion it prompted) and takes it down, saying why. It is archived, not
    deleted; a new pattern raises a new flag."""
    from tellonce.access.policy import access_for

    if user.is_system_account or not user.is_case_manager:
        raise PermissionDenied("A manager reviews and takes down a flag")
    if not access_for(user, flag.person).is_full:
        raise PermissionDenied("Only a manager working with the child may take down the flag")
    reason = (reason or "").strip()
    if len(reason) < 15:
        raise ValidationError(
            {"reason": "Say what was done about it, for example the strategy discussion's outcome"}
        )
    with transaction.atomic():
        claim(
            MissingPatternFlag,
            flag.pk,
            expected={},
            changes={"archived_on": timezone.now(), "archived_by": user, "archive_reason": reason},
            field="reason",
            refused="This flag has already been taken down",
        )
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=flag.person,
            obj=flag,
            reason=reason,
            detail={"change": "missing flag reviewed"},
        )


def police_acknowledge(*, user: User, episode: MissingEpisode, via: Via) -> MissingEpisode:
    """The police desk has it. Acknowledging twice changes nothing."""
    if not episode_access(user, episode).police:
        raise PermissionDenied("Only the police MASH desk told of the episode acknowledges it")
    now = timezone.now()
    with transaction.atomic():
        if not MissingEpisode.objects.filter(
            pk=episode.pk, police_acknowledged_on__isnull=True
        ).update(police_acknowledged_on=now, police_acknowledged_by=user, modified_by=user):
            episode.refresh_from_db()
            return episode
        episode.refresh_from_db()
        assert user.team is not None
        _event(
            episode,
            EventKind.MISSING,
            now,
            f"{user.get_full_name()}, {user.team.name}, acknowledged the report that"
            f" {episode.person.given_name} is missing.",
            agency=user.team.agency,
            user=user,
            ref="police-acknowledged",
        )
        _audit(via, user, episode, "police acknowledged", episode.person)
    return episode


# ----- the return and the interview ---------------------------------------------------


def _care_of(person: Person) -> tuple[set[int], set[int]]:
    """The teams and practitioners of the child's care: never their interviewer."""
    care = care_involvements(person)
    return {i.team_id for i in care}, {i.practitioner_id for i in care if i.practitioner_id}


def interview_due(returned_on: datetime) -> datetime:
    """A return home interview is due `RHI_DUE_HOURS` after the child's return, in
    clock hours (missing is around the clock)."""
    return returned_on + timedelta(hours=settings.RHI_DUE_HOURS)


def interview_warning_before() -> timedelta:
    """How long before its deadline an interview not yet done is escalated."""
    return timedelta(hours=settings.RHI_WARN_HOURS)


def independent_teams(person: Person) -> QuerySet[Team]:
    """The return-interview teams with no part in the child's care."""
    teams, _ = _care_of(person)
    return (
        Team.objects.filter(service=Service.RETURN_INTERVIEWS)
        .exclude(pk__in=teams)
        .select_related("agency")
        .order_by("pk")
    )


def interviewer_check(person: Person, team: Team | None, worker: User | None) -> dict[str, str]:
    """Why this team or practitioner may not interview the child, by field."""
    teams, workers = _care_of(person)
    problems: dict[str, str] = {}
    if team is None:
        problems["team"] = "Choose the team to do the interview"
    elif team.pk in teams:
        problems["team"] = (
            f"{team.name} works on {person.given_name}'s care: the interview must be done by"
            " someone independent of it"
        )
    if worker is not None:
        if worker.pk in workers:
            problems["assigned_to"] = (
                f"{worker.get_full_name()} works on {person.given_name}'s care: choose someone"
                " independent of it"
            )
        elif team is not None and worker.team_id != team.pk:
            problems["assigned_to"] = f"{worker.get_full_name()} is not in {team.name}"
    return problems


def _assigned_alert(interview: ReturnHomeInterview) -> Alert:
    episode = interview.episode
    person = interview.person
    team = interview.assigned_team
    assert team is not None
    return Alert(
        kind=AlertKind.RHI_ASSIGNED,
        key=f"rhi:{interview.pk}:to:{team.pk}:{interview.assigned_to_id or 0}",
        team=team,
        user=interview.assigned_to,
        person=person,
        link=_link(episode),
        title=f"Return home interview for {person.full_name}, due {when_said(interview.due_on)}",
        body=(
            f"{person.name_and_birth} returned on"
            f" {when_said(episode.returned_on or interview.due_on)}"
            f" after being missing. Offer a return home interview by {when_said(interview.due_on)}."
            "\nYou were chosen because you are independent of the child's care."
        ),
    )


def episode_return(
    *, user: User, episode: MissingEpisode, returned_on: datetime | None, details: str, via: Via
) -> ReturnHomeInterview:
    """The child is back: record it, make the return home interview due and assign it."""
    access = episode_access(user, episode)
    if not (access.police or access.reporter or access.involved) or user.is_system_account:
        raise PermissionDenied("Only those working on the episode record the child's return")
    now = timezone.now()
    problems: dict[str, str] = {}
    if episode.returned_on is not None:
        problems["returned_on"] = "The child's return is already recorded"
    elif returned_on is None:
        problems["returned_on"] = "Enter the date and time the child returned"
    elif returned_on > now:
        problems["returned_on"] = "The time the child returned must be in the past"
    elif returned_on < episode.last_seen_at:
        problems["returned_on"] = "The child cannot return before they were last seen"
    if not details.strip():
        problems["return_details"] = "Say where the child was found or returned to, and how"
    if problems:
        raise ValidationError(problems)
    assert returned_on is not None and user.team is not None
    person = episode.person
    with transaction.atomic():
        claim(
            MissingEpisode,
            episode.pk,
            expected={"returned_on__isnull": True},
            changes={
                "returned_on": returned_on,
                "return_details": details.strip(),
                "return_recorded_by": user,
                "modified_by": user,
                "modified_on": now,
            },
            field="returned_on",
            refused=(
                "Someone else has just recorded the child's return: reload the episode to see it"
            ),
        )
        episode.refresh_from_db()
        team = independent_teams(person).first()
        interview = ReturnHomeInterview.objects.create(
            episode=episode,
            person=person,
            due_on=interview_due(returned_on),
            assigned_team=team,
            assigned_on=now if team else None,
            created_by=user,
        )
        _event(
            episode,
            EventKind.MISSING_RETURN,
            returned_on,
            f"Returned after being missing since {when_said(episode.last_seen_at)}."
            f" {episode.return_details}\nReturn home interview due by"
            f" {when_said(interview.due_on)}"
            + (f", with {team.named}." if team else "; not yet assigned."),
            agency=user.team.agency,
            user=user,
            ref="returned",
        )
        body = (
            f"{person.name_and_birth}, missing since {when_said(episode.last_seen_at)}, returned on"
            f" {when_said(returned_on)}: {episode.return_details}\nReturn home interview due by"
            f" {when_said(interview.due_on)}."
        )
        alerts: list[Alert] = []
        told = {user.team_id}
        recipients = [(episode.police_team, None)] + [
            (i.team, i.practitioner) for i in _involved(person)
        ]
        for to, worker in recipients:
            if to is None or to.pk in told:
                continue
            told.add(to.pk)
            alerts.append(
                Alert(
                    kind=AlertKind.MISSING_RETURNED,
                    key=f"missing:{episode.pk}:returned",
                    team=to,
                    user=worker,
                    person=person,
                    link=_link(episode),
                    title=f"{person.full_name} has returned",
                    body=body,
                )
            )
        if team is not None:
            alerts.append(_assigned_alert(interview))
        else:
            hub = episode_hub(episode)
            if hub is not None:
                alerts.append(
                    Alert(
                        kind=AlertKind.RHI_ASSIGNED,
                        key=f"rhi:{interview.pk}:unassigned",
                        team=hub,
                        person=person,
                        link=_link(episode),
                        title=f"Assign the return home interview for {person.full_name}",
                        body=body
                        + "\nNo independent return home interview team is set up: a manager"
                        " must assign it to someone independent of the child's care.",
                    )
                )
        alerts_write(alerts)
        _audit(via, user, episode, "returned", person, interview=interview.pk)
    return interview


def _require_open(interview: ReturnHomeInterview) -> None:
    if interview.state != InterviewState.ASSIGNED:
        raise ValidationError({"state": "The interview is already recorded"})


def _interview_claim(
    interview: ReturnHomeInterview, user: User, now: datetime, **changes: Any
) -> None:
    """Change the interview only while it is still open (`tellonce.core.claims`): two
    people recording it at once record it once."""
    claim(
        ReturnHomeInterview,
        interview.pk,
        expected={"state": InterviewState.ASSIGNED},
        changes={**changes, "modified_by": user, "modified_on": now},
        field="state",
        refused="Someone else has just recorded this interview: reload it to see what they wrote",
    )


def may_assign(user: User, interview: ReturnHomeInterview) -> bool:
    if user.is_system_account or not user.is_case_manager or user.team is None:
        return False
    return interview.assigned_team_id == user.team_id or in_episode_hub(user, interview.episode)


def interview_assign(
    *,
    user: User,
    interview: ReturnHomeInterview,
    team: Team | None,
    assigned_to: User | None,
    via: Via,
) -> ReturnHomeInterview:
    """A manager (re)assigns the interview, to someone independent of the child's care."""
    if not may_assign(user, interview):
        raise PermissionDenied("Managers of the interview team or of the MASH assign interviews")
    _require_open(interview)
    problems = interviewer_check(interview.person, team, assigned_to)
    if problems:
        raise ValidationError(problems)
    assert team is not None
    with transaction.atomic():
        interview.assigned_team = team
        interview.assigned_to = assigned_to
        interview.assigned_on = timezone.now()
        interview.modified_by = user
        _interview_claim(
            interview,
            user,
            interview.assigned_on,
            assigned_team=team,
            assigned_to=assigned_to,
            assigned_on=interview.assigned_on,
        )
        alerts_write([_assigned_alert(interview)])
        _audit(
            via,
            user,
            interview,
            "interview assigned",
            interview.person,
            team=team.pk,
            assigned_to=assigned_to.pk if assigned_to else None,
        )
    return interview


def may_interview(user: User, interview: ReturnHomeInterview) -> bool:
    """Whether the user records this interview: its team, or the worker assigned it."""
    return (
        not user.is_system_account
        and user.team_id is not None
        and (user.team_id == interview.assigned_team_id or user.pk == interview.assigned_to_id)
    )


def _require_interviewer(user: User, interview: ReturnHomeInterview) -> None:
    if not may_interview(user, interview):
        raise PermissionDenied("Only the team the interview is assigned to records it")


@dataclass
class InterviewDetails:
    why_left: str
    where_went: str
    with_whom: str
    risks: str
    push_factors: str
    pull_factors: str
    child_said: str
    cse_indicators: bool = False
    cce_indicators: bool = False
    offered_on: datetime | None = None


def _offered_check(
    interview: ReturnHomeInterview, offered_on: datetime | None, now: datetime
) -> dict[str, str]:
    returned = interview.episode.returned_on
    if offered_on is not None and offered_on > now:
        return {"offered_on": "The time the interview was offered must be in the past"}
    if offered_on is not None and returned is not None and offered_on < returned:
        return {"offered_on": "The interview cannot be offered before the child returned"}
    return {}


def interview_check(details: InterviewDetails) -> dict[str, str]:
    problems: dict[str, str] = {}
    for field, message in (
        ("why_left", "Say what the child said about why they went missing"),
        ("where_went", "Say where the child went"),
        ("with_whom", "Say who the child was with, or that they were alone"),
        ("risks", "Describe the risks the child faced, or say that none were found"),
        ("child_said", "Write what the child said, in their own words"),
    ):
        if not getattr(details, field).strip():
            problems[field] = message
    return problems


def interview_complete(
    *, user: User, interview: ReturnHomeInterview, details: InterviewDetails, via: Via
) -> ReturnHomeInterview:
    """Record the written interview and share it with the police and the social worker."""
    _require_interviewer(user, interview)
    _require_open(interview)
    now = timezone.now()
    problems = interview_check(details) | _offered_check(interview, details.offered_on, now)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        for field in (
            "why_left",
            "where_went",
            "with_whom",
            "risks",
            "push_factors",
            "pull_factors",
            "child_said",
        ):
            setattr(interview, field, getattr(details, field).strip())
        interview.cse_indicators = details.cse_indicators
        interview.cce_indicators = details.cce_indicators
        _interview_claim(interview, user, now, state=InterviewState.COMPLETED)
        interview.state = InterviewState.COMPLETED
        _recorded(interview, user, now, details.offered_on)
        factors = interview.exploitation_factors
        _event(
            interview.episode,
            EventKind.RETURN_INTERVIEW,
            now,
            f"Return home interview done by {user.get_full_name()} ({_team_name(user)})."
            + (f" Signs of {' and '.join(factors)}." if factors else "")
            + " Shared in writing with the police and the social worker.",
            agency=_agency(user),
            user=user,
            ref="interview",
        )
        _share(interview, user, now)
        _audit(via, user, interview, "interview completed", interview.person)
        if factors:
            _flag_raise(
                interview.person,
                FlagReason.EXPLOITATION,
                f"The return home interview after {interview.person.full_name}'s missing episode"
                f" of {when_said(interview.episode.last_seen_at)} found signs of"
                f" {' and '.join(factors)}.",
                user=user,
                episode=interview.episode,
                interview=interview,
            )
    return interview


def interview_refuse(
    *,
    user: User,
    interview: ReturnHomeInterview,
    reason: str,
    offered_on: datetime | None = None,
    via: Via,
) -> ReturnHomeInterview:
    """The child would not be interviewed: record why, and tell the police and the
    social worker."""
    _require_interviewer(user, interview)
    _require_open(interview)
    now = timezone.now()
    problems = _offered_check(interview, offered_on, now)
    if not reason.strip():
        problems["refused_reason"] = "Say why the child refused, in their words where you can"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        interview.refused_reason = reason.strip()
        _interview_claim(interview, user, now, state=InterviewState.REFUSED)
        interview.state = InterviewState.REFUSED
        _recorded(interview, user, now, offered_on)
        _event(
            interview.episode,
            EventKind.RETURN_INTERVIEW,
            now,
            f"Return home interview offered by {user.get_full_name()} ({_team_name(user)})"
            f" and refused: {interview.refused_reason}",
            agency=_agency(user),
            user=user,
            ref="interview",
        )
        _share(interview, user, now)
        _audit(via, user, interview, "interview refused", interview.person)
    return interview


def _team_name(user: User) -> str:
    return user.team.name if user.team else ""


def _agency(user: User) -> Agency:
    assert user.team is not None
    return user.team.agency


def _recorded(
    interview: ReturnHomeInterview, user: User, now: datetime, offered_on: datetime | None
) -> None:
    interview.offered_on = offered_on or now
    interview.completed_on = now
    interview.completed_by = user
    interview.modified_by = user
    interview.save()


def _share(interview: ReturnHomeInterview, user: User, now: datetime) -> None:
    """The record in writing, to the police desk and the child's social worker."""
    episode = interview.episode
    person = interview.person
    if interview.state == InterviewState.COMPLETED:
        title = f"Return home interview: {person.full_name}"
        body = "\n".join(
            [
                f"{person.name_and_birth}, missing from {when_said(episode.last_seen_at)}"
                f" to {when_said(episode.returned_on or now)}.",
                f"Interviewed by {user.get_full_name()}, {_team_name(user)}, {when_said(now)}.",
                f"Why they went: {interview.why_left}",
                f"Where: {interview.where_went}",
                f"With whom: {interview.with_whom}",
                f"Risks: {interview.risks}",
                f"Push factors: {interview.push_factors or 'none recorded'}",
                f"Pull factors: {interview.pull_factors or 'none recorded'}",
                f"In the child's words: {interview.child_said}",
                "Exploitation: "
                + (" and ".join(interview.exploitation_factors) or "no indicators recorded"),
            ]
        )
    else:
        title = f"Return home interview refused: {person.full_name}"
        body = (
            f"{person.name_and_birth} refused the return home interview offered by"
            f" {user.get_full_name()} ({_team_name(user)}) on {when_said(now)}.\nWhy:"
            f" {interview.refused_reason}"
        )
    alerts = []
    if episode.police_team is not None:
        alerts.append(
            Alert(
                kind=AlertKind.RHI_SHARED,
                key=f"rhi:{interview.pk}",
                team=episode.police_team,
                person=person,
                link=_link(episode),
                title=title,
                body=body,
            )
        )
        interview.shared_with_police_on = now
    care = [c for c in care_involvements(person) if c.team_id != episode.police_team_id]
    for involvement in care:
        alerts.append(
            Alert(
                kind=AlertKind.RHI_SHARED,
                key=f"rhi:{interview.pk}",
                team=involvement.team,
                user=involvement.practitioner,
                person=person,
                link=_link(episode),
                title=title,
                body=body,
            )
        )
    if care:
        interview.shared_with_social_worker_on = now
    alerts_write(alerts)
    interview.save(update_fields=["shared_with_police_on", "shared_with_social_worker_on"])


# ----- the clock ---------------------------------------------------------------------


@dataclass
class MissingTick:
    police_escalated: int = 0
    interviews_warned: int = 0
    interviews_overdue: int = 0


def missing_clock_tick(now: datetime | None = None) -> MissingTick:
    """Escalate reports the police have not acknowledged in time to the desk's
    supervisors, warn of interviews nearly due, and escalate those past their deadline.
    Each is claimed atomically, so it happens once however many workers run."""
    now = now or timezone.now()
    tick = MissingTick()
    ack_by = now - timedelta(minutes=settings.MISSING_POLICE_ACK_MINUTES)
    waiting = MissingEpisode.objects.filter(
        police_notified_on__lte=ack_by,
        police_acknowledged_on__isnull=True,
        police_escalated_on__isnull=True,
        police_team__isnull=False,
    ).select_related("person", "police_team__agency", "reporting_team__agency")
    for episode in waiting:
        with transaction.atomic():
            if not MissingEpisode.objects.filter(
                pk=episode.pk, police_acknowledged_on__isnull=True, police_escalated_on__isnull=True
            ).update(police_escalated_on=now):
                continue
            _police_escalate(episode)
            tick.police_escalated += 1
    warn_by = now + interview_warning_before()
    live = ReturnHomeInterview.objects.filter(episode__archived_on__isnull=True)
    due = live.filter(
        state=InterviewState.ASSIGNED, due_on__lte=warn_by, warned_on__isnull=True
    ).select_related("person", "episode", "assigned_team__agency", "assigned_to")
    for interview in due:
        with transaction.atomic():
            if not ReturnHomeInterview.objects.filter(
                pk=interview.pk, state=InterviewState.ASSIGNED, warned_on__isnull=True
            ).update(warned_on=now):
                continue
            _interview_warn(interview, now)
            tick.interviews_warned += 1
    late = live.filter(
        state=InterviewState.ASSIGNED, due_on__lte=now, overdue_on__isnull=True
    ).select_related("person", "episode__police_team", "episode__reporting_team", "assigned_team")
    for interview in late:
        with transaction.atomic():
            if not ReturnHomeInterview.objects.filter(
                pk=interview.pk, state=InterviewState.ASSIGNED, overdue_on__isnull=True
            ).update(overdue_on=now):
                continue
            _interview_overdue(interview)
            tick.interviews_overdue += 1
    return tick


def _interview_overdue(interview: ReturnHomeInterview) -> None:
    """Past the deadline with nothing recorded: the interview team's managers and the
    MASH's managers are told, once."""
    person = interview.person
    hub = episode_hub(interview.episode)
    teams = [t for t in (interview.assigned_team, hub) if t is not None]
    managers = {m.pk: m for team in teams for m in managers_of(team) if m.team is not None}
    title = f"Overdue: the return home interview for {person.full_name}"
    body = (
        f"The return home interview for {person.name_and_birth} was due by"
        f" {when_said(interview.due_on)} and nothing is recorded: neither the interview nor a"
        " refusal."
    )
    alerts_write(
        [
            Alert(
                kind=AlertKind.RHI_DUE,
                key=f"rhi:{interview.pk}:overdue:manager:{manager.pk}",
                team=manager.team,
                user=manager,
                person=person,
                link=_link(interview.episode),
                title=title,
                body=body,
            )
            for manager in managers.values()
        ]
        + [
            Alert(
                kind=AlertKind.RHI_DUE,
                key=f"rhi:{interview.pk}:overdue:team",
                team=team,
                person=person,
                link=_link(interview.episode),
                title=title,
                body=body,
            )
            for team in teams[:1]
            if not managers
        ]
    )


def _police_escalate(episode: MissingEpisode) -> None:
    desk = episode.police_team
    assert desk is not None and episode.police_notified_on is not None
    person = episode.person
    minutes = settings.MISSING_POLICE_ACK_MINUTES
    title = f"Not acknowledged: {person.full_name} is missing"
    body = (
        f"{desk.name} was told at {when_said(episode.police_notified_on)} and no one has"
        f" acknowledged it in {minutes} minutes.\n" + _episode_summary(episode)
    )
    supervisors = managers_of(desk)
    alerts = [
        Alert(
            kind=AlertKind.MISSING_UNACKNOWLEDGED,
            key=f"missing:{episode.pk}:supervisor:{manager.pk}",
            team=manager.team,
            user=manager,
            person=person,
            link=_link(episode),
            title=title,
            body=body,
        )
        for manager in supervisors
    ]
    if not supervisors:
        alerts.append(
            Alert(
                kind=AlertKind.MISSING_UNACKNOWLEDGED,
                key=f"missing:{episode.pk}:desk",
                team=desk,
                person=person,
                link=_link(episode),
                title=title,
                body=body + "\nNo police supervisor is named in TellOnce.",
            )
        )
    alerts.append(
        Alert(
            kind=AlertKind.MISSING_UNACKNOWLEDGED,
            key=f"missing:{episode.pk}:reporter",
            team=episode.reporting_team,
            user=episode.reported_by,
            person=person,
            link=_link(episode),
            title=f"The police have not yet acknowledged {person.full_name}'s report",
            body=(
                f"{desk.name} has not acknowledged your report of {when_said(episode.reported_on)}."
                " Their supervisor has been told. If the child is at risk now, call 999."
            ),
        )
    )
    alerts_write(alerts)


def _interview_warn(interview: ReturnHomeInterview, now: datetime) -> None:
    person = interview.person
    team = interview.assigned_team or episode_hub(interview.episode)
    if team is None:
        return
    hours = max(0, int((interview.due_on - now).total_seconds() // 3600))
    title = f"Return home interview for {person.full_name} due in {hours} hours"
    body = (
        f"The return home interview for {person.name_and_birth} is due by"
        f" {when_said(interview.due_on)}"
        " and is not yet recorded. Offer it, or record that the child refused."
    )
    link = _link(interview.episode)
    alerts = [
        Alert(
            kind=AlertKind.RHI_DUE,
            key=f"rhi:{interview.pk}:due",
            team=team,
            user=interview.assigned_to,
            person=person,
            link=link,
            title=title,
            body=body,
        )
    ] + [
        Alert(
            kind=AlertKind.RHI_DUE,
            key=f"rhi:{interview.pk}:due:manager:{manager.pk}",
            team=manager.team,
            user=manager,
            person=person,
            link=link,
            title=title,
            body=body,
        )
        for manager in managers_of(team)
    ]
    alerts_write(alerts)
