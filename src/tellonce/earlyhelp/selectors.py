"""Early help, read: who may see an episode, the episode page, the worklists.

Who sees an episode (the rest of TellOnce's need-to-know): whoever sees the child's
record in full (the lead and the team around the family work with the child); the
practitioner asked to lead, and the team that asked for it, who need it to decide and
to follow it; and the early help service's managers, who broker leads. Everyone else
gets a 404 (those who see the flag see the lead professional's involvement there).
Every look is audited; every list that names children is audited as a list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from tellonce.access.policy import access_for, full_access_filter
from tellonce.accounts.selectors import practitioners_in
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.earlyhelp.models import LIVE_STATES, Episode, EpisodeState, LeadRole, LeadState
from tellonce.earlyhelp.services import (
    is_broker,
    may_close,
    may_offer,
    open_offer,
)
from tellonce.involvements.models import CAPACITIES_BY_SERVICE, Capacity
from tellonce.organisations.models import Team

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.people.models import Person


@dataclass(frozen=True)
class EpisodeAccess:
    involved: bool = False
    lead: bool = False
    asked_to_lead: bool = False
    requester: bool = False
    broker: bool = False

    @property
    def any(self) -> bool:
        return self.involved or self.lead or self.asked_to_lead or self.requester or self.broker


def episode_access(user: User, episode: Episode) -> EpisodeAccess:
    if not user.is_authenticated or not user.does_casework:
        return EpisodeAccess()
    roles = {
        (r.practitioner_id, r.state)
        for r in episode.leads.filter(state__in=(LeadState.OFFERED, LeadState.ACCEPTED))
    }
    return EpisodeAccess(
        involved=access_for(user, episode.person).is_full,
        lead=(user.pk, LeadState.ACCEPTED) in roles,
        asked_to_lead=(user.pk, LeadState.OFFERED) in roles,
        requester=user.team_id is not None and user.team_id == episode.requesting_team_id,
        broker=is_broker(user),
    )


def _episodes() -> QuerySet[Episode]:
    return Episode.objects.select_related(
        "person", "requesting_team__agency", "requested_by", "consent_recorded_by"
    )


def episode_get_for_user(
    *, user: User, episode_id: int, via: Via | None = None
) -> tuple[Episode, EpisodeAccess]:
    """The episode and why the user may see it; a 404 for anyone with no reason to.
    With `via`, the look is audited."""
    episode = _episodes().filter(pk=episode_id).first()
    if episode is None:
        raise Http404("No such early help episode")
    access = episode_access(user, episode)
    if not access.any:
        raise Http404("No such early help episode")
    if via is not None:
        audit_via(via, user=user, action=Action.VIEW, person=episode.person, obj=episode)
    return episode, access


def role_get_for_user(*, user: User, episode: Episode) -> LeadRole:
    """The request to lead `episode` that waits for `user`'s answer; a 404 without one."""
    role = open_offer(episode)
    if role is None or role.practitioner_id != user.pk:
        raise Http404("No request to lead this early help waits for you")
    return role


@dataclass
class EpisodePage:
    episode: Episode
    access: EpisodeAccess
    lead: LeadRole | None
    offer: LeadRole | None
    history: list[LeadRole]
    lead_due: datetime | None
    can_offer: bool
    can_answer: bool
    can_close: bool


def episode_page(*, user: User, episode: Episode, access: EpisodeAccess) -> EpisodePage:
    history = list(
        episode.leads.select_related("practitioner", "team__agency", "offered_by").order_by(
            "offered_on", "pk"
        )
    )
    # One accepted and one asked at most (the constraints): both from the history.
    now = {role.state: role for role in history}
    offer = now.get(LeadState.OFFERED)
    return EpisodePage(
        episode=episode,
        access=access,
        lead=now.get(LeadState.ACCEPTED),
        offer=offer,
        history=history,
        lead_due=episode.lead_due if episode.state == EpisodeState.AWAITING_LEAD else None,
        can_offer=may_offer(user, episode),
        can_answer=offer is not None and offer.practitioner_id == user.pk,
        can_close=may_close(user, episode),
    )


def lead_candidates(*, exclude: User | None = None) -> QuerySet[User]:
    """The practitioners who may lead early help: those in teams whose work includes it."""
    services = [
        s for s, capacities in CAPACITIES_BY_SERVICE.items() if Capacity.EARLY_HELP in capacities
    ]
    teams = Team.objects.filter(service__in=services)
    people = practitioners_in(teams=teams)
    return people.exclude(pk=exclude.pk) if exclude is not None else people


@dataclass
class Worklist:
    #: Requests to lead waiting for the user's answer.
    asked: list[LeadRole] = field(default_factory=list)
    #: The open episodes the user leads.
    leading: list[Episode] = field(default_factory=list)
    #: Episodes the user's team asked for that wait for a lead.
    waiting: list[Episode] = field(default_factory=list)
    #: For the early help service's managers: every episode waiting for a lead.
    brokering: list[Episode] = field(default_factory=list)
    broker: bool = False

    @property
    def people(self) -> int:
        ids = {r.episode.person_id for r in self.asked}
        ids |= {e.person_id for e in (*self.leading, *self.waiting, *self.brokering)}
        return len(ids)


def requests_to_lead(*, user: User) -> QuerySet[LeadRole]:
    """The requests to lead early help that wait for the user's answer, oldest first."""
    return (
        LeadRole.objects.filter(
            practitioner_id=user.pk, state=LeadState.OFFERED, episode__archived_on__isnull=True
        )
        .select_related("episode__person", "offered_by__team__agency")
        .order_by("offered_on", "pk")
    )


def waiting_for_lead() -> QuerySet[Episode]:
    """Every episode still waiting for its lead to accept, the longest waiting first."""
    return _episodes().filter(state=EpisodeState.AWAITING_LEAD).order_by("requested_on", "pk")


#: How many of each list the worklist shows, oldest waiting first.
WORKLIST_AT_MOST = 100


def worklist_for(*, user: User) -> Worklist:
    """The user's early help: requests to lead waiting for them, the episodes they
    lead, the ones their team asked for that wait for a lead, and (for the early help
    service's managers) every episode waiting for a lead, oldest first."""
    if not user.is_authenticated or not user.does_casework or user.is_system_account:
        return Worklist()
    work = Worklist(
        asked=list(requests_to_lead(user=user)[:WORKLIST_AT_MOST]),
        leading=list(
            _episodes()
            .filter(
                leads__practitioner=user,
                leads__state=LeadState.ACCEPTED,
                state=EpisodeState.OPEN,
            )
            .order_by("opened_on")[:WORKLIST_AT_MOST]
        ),
        broker=is_broker(user),
    )
    waiting = waiting_for_lead()
    if user.team_id is not None:
        work.waiting = list(waiting.filter(requesting_team_id=user.team_id)[:WORKLIST_AT_MOST])
    if work.broker:
        work.brokering = list(waiting[:WORKLIST_AT_MOST])
    return work


def episodes_for_system(*, user: User) -> QuerySet[Episode]:
    """An agency system's early help: what its own team asked for, and what its
    agency's teams asked for or lead where its agency works with the child (so every
    one listed is one `selectors.episode_access` lets it read)."""
    agency = user.agency_id
    theirs = Q(requesting_team__agency=agency) | Q(
        leads__state=LeadState.ACCEPTED, leads__team__agency=agency
    )
    mine = Q(requesting_team=user.team_id) | (theirs & full_access_filter(user, "person_id"))
    ids = Episode.objects.filter(mine).values("pk")
    return (
        Episode.objects.filter(pk__in=ids)
        .select_related("person", "requesting_team__agency", "requested_by")
        .order_by("-requested_on", "-pk")
    )


@dataclass
class EarlyHelpNow:
    """The child's live early help, for their record: the episode, its lead and any
    request to lead not yet answered."""

    episode: Episode
    lead: LeadRole | None
    offer: LeadRole | None


def early_help_now(person: Person) -> EarlyHelpNow | None:
    """The child's early help now (waiting for its lead, or open), in two reads."""
    episode = (
        Episode.objects.filter(person=person, state__in=LIVE_STATES)
        .prefetch_related(
            Prefetch(
                "leads",
                queryset=LeadRole.objects.filter(
                    state__in=(LeadState.OFFERED, LeadState.ACCEPTED)
                ).select_related("practitioner", "team__agency"),
                to_attr="live_leads",
            )
        )
        .first()
    )
    if episode is None:
        return None
    roles = {role.state: role for role in getattr(episode, "live_leads", [])}
    return EarlyHelpNow(
        episode=episode, lead=roles.get(LeadState.ACCEPTED), offer=roles.get(LeadState.OFFERED)
    )
