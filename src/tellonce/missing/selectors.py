"""Reading missing episodes and return home interviews: who may see an episode, the
police's missing inbox, the interview worklist, the flags on a child, and the figures.

Who may see an episode (`episode_access`), everyone else gets a 404:
- the police MASH desk the episode was sent to (the police);
- the team that reported it;
- the team the return home interview is assigned to;
- anyone who sees the child's record in full (their team is involved, or the MASH);
- while the interview is to be done, the managers of the MASH the episode belongs to,
  who are asked to assign it when no interview team is set up (`assigner`).

What the child told the interviewer is read by the police, the interviewer and those
who see the record in full, not by a reporting team that does not work with the child
(`reads_interview`); and an agency's system that reports a child it does not work with
is not told who the child is (`named`: as `access.policy.may_learn_who`); the police
desk's system is, as the desk's officers are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tellonce.access.policy import Access, access_for, full_access_filter, visible_in_full
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.missing.models import (
    InterviewState,
    MissingEpisode,
    MissingPatternFlag,
    ReturnHomeInterview,
)
from tellonce.organisations.models import Role, Service, Team

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.people.models import Person


@dataclass(frozen=True)
class EpisodeAccess:
    police: bool = False
    reporter: bool = False
    interviewer: bool = False
    involved: bool = False
    assigner: bool = False
    named: bool = True

    @property
    def any(self) -> bool:
        return self.police or self.reporter or self.interviewer or self.involved or self.assigner

    @property
    def reads_interview(self) -> bool:
        return self.police or self.interviewer or self.involved


def episode_access(
    user: User, episode: MissingEpisode, *, in_full: bool | None = None
) -> EpisodeAccess:
    """Why `user` may see the episode; `in_full` says whether they see the child's record
    in full, when the caller already knows (see `episodes_access`)."""
    if not user.is_authenticated or not user.does_casework or user.team_id is None:
        return EpisodeAccess()
    interview = getattr(episode, "interview", None)
    involved = access_for(user, episode.person).is_full if in_full is None else in_full
    police = episode.police_team_id is not None and user.team_id == episode.police_team_id
    return EpisodeAccess(
        police=police,
        reporter=user.team_id == episode.reporting_team_id,
        interviewer=interview is not None and interview.assigned_team_id == user.team_id,
        involved=involved,
        assigner=interview is not None
        and interview.is_open
        and user.is_case_manager
        and not user.is_system_account
        and in_episode_hub(user, episode),
        # The desk is sent the child's name to find them: its system is told it too.
        named=involved or police or not user.is_system_account,
    )


def episode_hub(episode: MissingEpisode) -> Team | None:
    """The MASH an episode belongs to: the police desk's or the reporting team's, or the
    first MASH."""
    for team in (episode.police_team, episode.reporting_team):
        if team is not None and team.hub is not None:
            return team.hub
    return Team.objects.filter(service=Service.MASH).order_by("pk").first()


def in_episode_hub(user: User, episode: MissingEpisode) -> bool:
    """Whether the user's team is, or sits in, the MASH the episode belongs to."""
    hub = episode_hub(episode)
    return hub is not None and user.team is not None and user.team.hub == hub


def episodes_access(user: User, episodes: Sequence[MissingEpisode]) -> dict[int, EpisodeAccess]:
    """`episode_access` for each of a list of episodes, in one query."""
    in_full = visible_in_full(user=user, person_ids=[e.person_id for e in episodes])
    return {e.pk: episode_access(user, e, in_full=e.person_id in in_full) for e in episodes}


def _episodes() -> QuerySet[MissingEpisode]:
    return MissingEpisode.objects.select_related(
        "person", "reporting_team__agency", "police_team__agency", "reported_by", "interview"
    )


def episode_get_for_user(
    *, user: User, episode_id: int, via: Via | None = None
) -> tuple[MissingEpisode, EpisodeAccess]:
    """The episode and why the user may see it; a 404 for anyone with no reason to."""
    episode = _episodes().filter(pk=episode_id).first()
    if episode is None:
        raise Http404("No such missing episode")
    access = episode_access(user, episode)
    if not access.any:
        raise Http404("No such missing episode")
    if via is not None:
        audit_via(via, user=user, action=Action.VIEW, person=episode.person, obj=episode)
    return episode, access


def interview_get_for_user(*, user: User, interview_id: int) -> ReturnHomeInterview:
    interview = (
        ReturnHomeInterview.objects.select_related("episode", "person").filter(
            pk=interview_id, episode__archived_on__isnull=True
        )
    ).first()
    if interview is None or not episode_access(user, interview.episode).any:
        raise Http404("No such return home interview")
    return interview


def flag_get_for_user(*, user: User, flag_id: int) -> MissingPatternFlag:
    """A missing-pattern flag, for someone who may see the child's record in full; a
    404 for everyone else."""
    flag = MissingPatternFlag.objects.select_related("person").filter(pk=flag_id).first()
    if flag is None or not access_for(user, flag.person).is_full:
        raise Http404("No such flag")
    return flag


def is_police_desk(user: User) -> bool:
    """The police MASH desk: its officers and the desk's own system, which reads the
    desk's inbox and acknowledges as the officers do (issue 14)."""
    return (
        user.is_authenticated and user.team is not None and user.team.service == Service.POLICE_MASH
    )


def police_inbox(*, user: User) -> QuerySet[MissingEpisode]:
    """Missing children sent to the user's police MASH desk: not yet acknowledged first,
    then the children still missing, newest first."""
    if not is_police_desk(user):
        raise PermissionDenied("The missing inbox is for the police MASH desk")
    return (
        _episodes()
        .filter(police_team=user.team_id)
        .order_by(
            F("police_acknowledged_on").desc(nulls_first=True),
            F("returned_on").desc(nulls_first=True),
            "-reported_on",
        )
    )


#: What the police desk's list may show: the open ones (not yet acknowledged, or the
#: child still missing), which it shows first, or every episode sent to the desk.
POLICE_LIST_SHOWS = {"open": "To act on", "all": "All"}


def police_list(*, user: User, show: str = "open") -> QuerySet[MissingEpisode]:
    """The police desk's "Missing children" list: by default only the episodes it still
    has to act on (`POLICE_LIST_SHOWS`), in the inbox's order."""
    episodes = police_inbox(user=user)
    if show == "open":
        episodes = episodes.filter(
            Q(police_notified_on__isnull=False, police_acknowledged_on__isnull=True)
            | Q(returned_on__isnull=True)
        )
    return episodes


def episodes_for_user(*, user: User) -> QuerySet[MissingEpisode]:
    """The episodes the user may see: the police desk's inbox, or those of their team
    and of the children they see in full."""
    if is_police_desk(user):
        return police_inbox(user=user)
    if not user.is_authenticated or not user.does_casework or user.team_id is None:
        raise PermissionDenied("Missing episodes are for practitioners in a team")
    mine = (
        Q(reporting_team=user.team_id)
        | Q(interview__assigned_team=user.team_id)
        | full_access_filter(user, "person_id")
    )
    return _episodes().filter(mine).order_by("-reported_on", "-pk")


def interview_worklist(*, user: User) -> QuerySet[ReturnHomeInterview]:
    """Interviews the user's team is to do, the soonest due first."""
    if user.team_id is None or not user.does_casework:
        raise PermissionDenied("The worklist is for the team doing return home interviews")
    return (
        ReturnHomeInterview.objects.filter(
            assigned_team=user.team_id,
            state=InterviewState.ASSIGNED,
            episode__archived_on__isnull=True,
        )
        .select_related("person", "episode", "assigned_to")
        .order_by("due_on", "pk")
    )


def flags_for(
    *, user: User, person: Person, access: Access | None = None
) -> list[MissingPatternFlag]:
    """The child's missing flags, for those who see the record in full (`access`, where
    the caller has just decided it, as `voices.selectors.voices_for` takes it)."""
    if access is None:
        access = access_for(user, person)
    if not access.is_full:
        return []
    return list(MissingPatternFlag.objects.filter(person=person))


# ----- figures --------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class MissingFigures:
    since: datetime
    episodes: int
    notified_to_police: int
    returns: int
    interviews_offered_or_due: int
    offered_within_72_hours: int
    interviews_completed: int
    interviews_refused: int
    completed_shared_with_police: int

    @property
    def until(self) -> date:
        """The figures run to today."""
        return timezone.localdate()

    @property
    def notified_share(self) -> float | None:
        return _share(self.notified_to_police, self.episodes)

    @property
    def offered_in_time_share(self) -> float | None:
        return _share(self.offered_within_72_hours, self.interviews_offered_or_due)

    @property
    def shared_with_police_share(self) -> float | None:
        return _share(self.completed_shared_with_police, self.interviews_completed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "episodes": self.episodes,
            "notified_to_police": self.notified_to_police,
            "notified_share": self.notified_share,
            "returns": self.returns,
            "interviews_offered_or_due": self.interviews_offered_or_due,
            "offered_within_72_hours": self.offered_within_72_hours,
            "offered_in_time_share": self.offered_in_time_share,
            "interviews_completed": self.interviews_completed,
            "interviews_refused": self.interviews_refused,
            "completed_shared_with_police": self.completed_shared_with_police,
            "shared_with_police_share": self.shared_with_police_share,
        }


def may_see_figures(user: User) -> bool:
    return (
        user.is_authenticated
        and not user.is_system_account
        and (user.has_role(Role.PARTNERSHIP_ANALYST) or user.is_case_manager)
    )


def missing_figures(*, user: User, since: datetime | None = None) -> MissingFigures:
    """Counts and shares for episodes reported since `since` (90 days by default): no
    names. For partnership analysts and managers."""
    if not may_see_figures(user):
        raise PermissionDenied("The missing figures are for analysts and managers")
    now = timezone.now()
    since = since or now - timedelta(days=90)
    episodes = MissingEpisode.objects.filter(reported_on__gte=since)
    interviews = ReturnHomeInterview.objects.filter(episode__in=episodes)
    # An interview counts once it was offered or its deadline has passed.
    counted = interviews.filter(Q(offered_on__isnull=False) | Q(due_on__lte=now))
    completed = interviews.filter(state=InterviewState.COMPLETED)
    return MissingFigures(
        since=since,
        episodes=episodes.count(),
        notified_to_police=episodes.filter(
            Q(police_notified_on__isnull=False) | Q(reported_by_police=True)
        ).count(),
        returns=episodes.filter(returned_on__isnull=False).count(),
        interviews_offered_or_due=counted.count(),
        offered_within_72_hours=counted.filter(offered_on__lte=F("due_on")).count(),
        interviews_completed=completed.count(),
        interviews_refused=interviews.filter(state=InterviewState.REFUSED).count(),
        completed_shared_with_police=completed.filter(shared_with_police_on__isnull=False).count(),
    )
