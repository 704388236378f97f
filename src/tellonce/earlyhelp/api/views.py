"""The early help API: an agency's early help system (the council's, mainly) or a
practitioner asks for early help for a child, naming its lead professional; the lead
asked accepts (with the family's agreement) or declines; the lead hands over, or
whoever asked names someone else; each reads the episodes that are theirs. The same
selectors and services as the pages decide who may do what, and audit it.

Agency systems call with their system account's token; practitioners hold no tokens
(`accounts.services.api_token_issue` issues them to system accounts only) and call
with their signed-in session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.access.policy import visible_in_full
from tellonce.access.selectors import person_get_for_user
from tellonce.api.errors import ERRORS
from tellonce.api.requests import named_as_sent, valid
from tellonce.api.schema import refused_when
from tellonce.audit.services import audit_list, people_on, via_request
from tellonce.core.requests import acting_user
from tellonce.earlyhelp import selectors, services
from tellonce.earlyhelp.api import serializers as es
from tellonce.earlyhelp.models import Episode

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.earlyhelp.models import LeadRole

#: At most this many episodes in a list, newest first (as the missing episodes list).
LIST_AT_MOST = 200

#: What the early help service's rules refuse that a schema cannot state.
CONSENT_RULES = {
    "consent_given_on": "missing, when the lead accepts and the family's agreement is not"
    " yet recorded, or when any of the agreement is given; in the future; or before the"
    " child was born",
    "consent_given_by": "fewer than 3 characters once spaces are trimmed, when the"
    " agreement is needed or any of it is given",
    "consent_to_share": "fewer than 10 characters once spaces are trimmed, when the"
    " agreement is needed or any of it is given",
}


def _episodes(episodes: list[Episode], *, named: set[Any]) -> list[dict[str, Any]]:
    """The episodes with their lead roles (read in one go), each child named only to
    those who may be told who they are (`named`)."""
    prefetch_related_objects(
        episodes,
        "requesting_team__agency",
        "requested_by",
        "consent_recorded_by",
        "leads__practitioner__team__agency",
        "leads__team__agency",
        "leads__offered_by",
    )
    return list(es.EarlyHelpEpisodeSerializer(episodes, many=True, context={"named": named}).data)


def _named(user: User, episodes: list[Episode]) -> set[Any]:
    """The children of these episodes `user` may be told of by name: a practitioner
    all of them, an agency's system those its agency works with."""
    ids = {e.person_id for e in episodes}
    if not user.is_system_account:
        return ids
    return visible_in_full(user=user, person_ids=list(ids))


def _episode(user: User, episode: Episode, *, involved: bool) -> dict[str, Any]:
    named = {episode.person_id} if involved or not user.is_system_account else set()
    return _episodes([episode], named=named)[0]


def _episodes_for(user: User) -> list[Episode]:
    """The caller's early help, newest first: for a practitioner, their worklist (asked
    to lead, leading, asked for by their team and waiting; every waiting one for the
    early help service's managers); for an agency's system, its agency's."""
    if not user.is_authenticated or not user.does_casework:
        raise PermissionDenied("Early help is for practitioners and agency systems")
    if user.is_system_account:
        return list(selectors.episodes_for_system(user=user)[:LIST_AT_MOST])
    work = selectors.worklist_for(user=user)
    found: dict[int, Episode] = {}
    for episode in (
        *(role.episode for role in work.asked),
        *work.leading,
        *work.waiting,
        *work.brokering,
    ):
        found.setdefault(episode.pk, episode)
    newest = sorted(found.values(), key=lambda e: (e.requested_on, e.pk), reverse=True)
    return newest[:LIST_AT_MOST]


def _role(role: LeadRole) -> dict[str, Any]:
    prefetch_related_objects([role], "practitioner__team__agency", "team__agency", "offered_by")
    return dict(es.LeadRoleSerializer(role).data)


class EpisodeRequestView(APIView):
    @extend_schema(
        summary="Ask for early help for a child, naming its lead professional",
        description=(
            "Any agency's practitioner or system that may know of the child. The lead"
            " named (by TellOnce username) is asked, and the episode opens when they"
            " accept with the family's agreement. It opens at once when you name"
            " yourself, or when an agency's own early help system says its own"
            " practitioner has accepted (`lead_accepted`); either way the family's"
            " agreement is then needed. A child has one early help episode at a time."
            " Every problem is reported by field."
        ),
        request=es.EarlyHelpAskSerializer,
        extensions=refused_when(
            reason="fewer than 20 characters as kept (spaces trimmed, characters not kept removed)",
            lead="no active practitioner in a team has the username, their team's work"
            " does not include early help, or someone else leads the child through the"
            " register and must hand over first",
            lead_accepted="true, from anyone but the lead's own agency's system",
            person="an adult, or the child already has early help",
            **CONSENT_RULES,
        ),
        responses={201: es.EarlyHelpEpisodeSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = person_get_for_user(user=user, person_id=person_id)
        data = valid(es.EarlyHelpAskSerializer(data=request.data))
        with named_as_sent():
            episode = services.episode_request(
                user=user,
                person=person,
                request=services.EpisodeRequest(
                    reason=data["reason"],
                    lead=data["lead"],
                    consent=es.consent_of(data),
                    external_ref=data["external_ref"],
                    lead_accepted=data["lead_accepted"],
                ),
                via=via_request(request),
            )
        episode, access = selectors.episode_get_for_user(user=user, episode_id=episode.pk)
        return Response(
            _episode(user, episode, involved=access.involved), status=status.HTTP_201_CREATED
        )


class EpisodeListView(APIView):
    @extend_schema(
        summary="Your early help, newest first",
        description=(
            f"At most {LIST_AT_MOST}. For a practitioner: the episodes you are asked to"
            " lead, those you lead, those your team asked for that wait for a lead, and"
            " (for the early help service's managers) every one waiting for a lead. For an"
            " agency's system: those its team asked for, and those its agency's teams"
            " asked for or lead where its agency works with the child."
        ),
        responses={200: es.EarlyHelpEpisodeSerializer(many=True), 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        episodes = _episodes_for(user)
        audit_list(via_request(request), user=user, listed="early help", people=people_on(episodes))
        return Response(_episodes(episodes, named=_named(user, episodes)))


class EpisodeView(APIView):
    @extend_schema(
        summary="An early help episode: its lead, the family's agreement, who was asked",
        description=(
            "For those who see the child's record in full, the practitioner asked to lead,"
            " the team that asked for it and the early help service's managers; audited."
        ),
        responses={200: es.EarlyHelpEpisodeSerializer, 404: ERRORS},
    )
    def get(self, request: Request, episode_id: int) -> Response:
        user = acting_user(request)
        episode, access = selectors.episode_get_for_user(
            user=user, episode_id=episode_id, via=via_request(request)
        )
        return Response(_episode(user, episode, involved=access.involved))


class LeadAnswerView(APIView):
    @extend_schema(
        summary="Accept or decline the request to lead (the practitioner asked)",
        description=(
            "`accept`, with the family's agreement if the episode has none yet: a lead"
            " before you hands over at this moment. `decline`, saying why in"
            " `decline_reason`: whoever asked is told. A 404 where no request to lead"
            " waits for you; a 409 where it has just been answered or withdrawn."
        ),
        request=es.LeadAnswerSerializer,
        extensions=refused_when(
            answer="accept, when your team's work does not include early help or someone"
            " else leads the child through the register",
            decline_reason="fewer than 10 characters once spaces are trimmed, to decline",
            **CONSENT_RULES,
        ),
        responses={200: es.LeadRoleSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS, 409: ERRORS},
    )
    def post(self, request: Request, episode_id: int) -> Response:
        user = acting_user(request)
        episode, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
        role = selectors.role_get_for_user(user=user, episode=episode)
        data = valid(es.LeadAnswerSerializer(data=request.data))
        via = via_request(request)
        with named_as_sent():
            if data["answer"] == "accept":
                services.lead_accept(user=user, role=role, via=via, consent=es.consent_of(data))
            else:
                services.lead_decline(user=user, role=role, reason=data["decline_reason"], via=via)
        role.refresh_from_db()
        return Response(_role(role))


class LeadOfferView(APIView):
    @extend_schema(
        summary="Ask someone (else) to lead: a handover, or a new request while it waits",
        description=(
            "For the lead (to hand over: they lead until the one asked accepts), the team"
            " that asked for it while it waits, and the early help service's managers;"
            " not for agency systems. A request not yet answered is withdrawn. Naming"
            " yourself is accepting."
        ),
        request=es.LeadOfferSerializer,
        extensions=refused_when(
            lead="no active practitioner in a team has the username, their team's work"
            " does not include early help, they already lead it or have been asked and"
            " not answered, or someone else leads the child through the register",
        ),
        responses={201: es.LeadRoleSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS, 409: ERRORS},
    )
    def post(self, request: Request, episode_id: int) -> Response:
        user = acting_user(request)
        episode, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
        if not services.may_offer(user, episode):
            # Who may act is answered before what they sent.
            raise PermissionDenied("You may not ask someone to lead this early help")
        data = valid(es.LeadOfferSerializer(data=request.data))
        with named_as_sent():
            role = services.lead_offer(
                user=user, episode=episode, lead=data["lead"], via=via_request(request)
            )
        role.refresh_from_db()
        return Response(_role(role), status=status.HTTP_201_CREATED)
