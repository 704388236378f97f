"""The API of missing children and return home interviews: any agency reports a child
missing; the police desk reads its inbox and acknowledges; the return is recorded; the
interview team records the interview or the refusal; analysts read the figures. The
same selectors and services as the pages decide who may do what and audit it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.access.selectors import person_get_for_user
from tellonce.api.errors import ERRORS
from tellonce.api.query import query_of
from tellonce.api.requests import named_as_sent, valid
from tellonce.api.schema import refused_when
from tellonce.audit.services import audit_list, people_on, via_request
from tellonce.core.requests import acting_user
from tellonce.missing import selectors, services
from tellonce.missing.api import serializers as ms
from tellonce.missing.services import EpisodeDetails, InterviewDetails

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.missing.models import MissingEpisode


def _episodes(user: User, episodes: list[MissingEpisode]) -> list[dict[str, Any]]:
    """The episodes as `user` may read them (see `selectors.EpisodeAccess`)."""
    access = selectors.episodes_access(user, episodes)
    return list(ms.EpisodeSerializer(episodes, many=True, context={"access": access}).data)


def _episode(user: User, episode: MissingEpisode) -> dict[str, Any]:
    return _episodes(user, [episode])[0]


class EpisodeCreateView(APIView):
    @extend_schema(
        summary="Report a child missing",
        description=(
            "Any agency's practitioner or system. Unless the police report it, the police"
            " MASH desk is told at once and must acknowledge it within the hour; the teams"
            " working with the child are told. Every problem is reported by field."
        ),
        request=ms.EpisodeCreateSerializer,
        extensions=refused_when(
            last_seen_at="in the future, or more than 60 days ago",
            last_seen_where="only spaces",
            circumstances="fewer than 20 characters once spaces are collapsed",
            reporter_name="only spaces",
            reporter_phone="only spaces",
        ),
        responses={201: ms.EpisodeSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = person_get_for_user(user=user, person_id=person_id)
        data = valid(ms.EpisodeCreateSerializer(data=request.data))
        with named_as_sent():
            episode = services.episode_report(
                user=user, person=person, details=EpisodeDetails(**data), via=via_request(request)
            )
        episode, _ = selectors.episode_get_for_user(user=user, episode_id=episode.pk)
        return Response(_episode(user, episode), status=status.HTTP_201_CREATED)


class EpisodeListView(APIView):
    @extend_schema(
        summary="Missing episodes: the police desk's inbox, or those you may see",
        description=(
            "For the police MASH desk (its officers and its system alike), not yet"
            " acknowledged first."
        ),
        responses={200: ms.EpisodeSerializer(many=True), 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        episodes = list(selectors.episodes_for_user(user=user)[:200])
        audit_list(
            via_request(request), user=user, listed="missing episodes", people=people_on(episodes)
        )
        return Response(_episodes(user, episodes))


class EpisodeView(APIView):
    @extend_schema(
        summary="A missing episode, with its return home interview",
        responses={200: ms.EpisodeSerializer, 404: ERRORS},
    )
    def get(self, request: Request, episode_id: int) -> Response:
        user = acting_user(request)
        episode, _ = selectors.episode_get_for_user(
            user=user, episode_id=episode_id, via=via_request(request)
        )
        return Response(_episode(user, episode))


class AcknowledgeView(APIView):
    @extend_schema(
        summary="The police desk (an officer or its system) acknowledges a missing child",
        description="Once; acknowledging again is harmless.",
        request=None,
        responses={200: ms.EpisodeSerializer, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, episode_id: int) -> Response:
        user = acting_user(request)
        episode, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
        services.police_acknowledge(user=user, episode=episode, via=via_request(request))
        episode, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
        return Response(_episode(user, episode))


class ReturnView(APIView):
    @extend_schema(
        summary="Record the child's return; the return home interview is assigned",
        request=ms.ReturnSerializer,
        responses={200: ms.EpisodeSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, episode_id: int) -> Response:
        user = acting_user(request)
        episode, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
        data = valid(ms.ReturnSerializer(data=request.data))
        with named_as_sent():
            services.episode_return(
                user=user,
                episode=episode,
                returned_on=data.get("returned_on"),
                details=data["return_details"],
                via=via_request(request),
            )
        episode, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
        return Response(_episode(user, episode))


class WithdrawView(APIView):
    @extend_schema(
        summary="Withdraw an episode recorded in error (the reporting team or the police desk)",
        request=ms.EpisodeWithdrawSerializer,
        responses={204: None, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, episode_id: int) -> Response:
        user = acting_user(request)
        episode, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
        data = valid(ms.EpisodeWithdrawSerializer(data=request.data))
        with named_as_sent():
            services.episode_archive(
                user=user, episode=episode, reason=data["reason"], via=via_request(request)
            )
        return Response(status=204)


class FlagReviewView(APIView):
    @extend_schema(
        summary="Review and take down a missing-pattern flag (a manager working with the child)",
        request=ms.FlagReviewSerializer,
        responses={204: None, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, flag_id: int) -> Response:
        user = acting_user(request)
        flag = selectors.flag_get_for_user(user=user, flag_id=flag_id)
        data = valid(ms.FlagReviewSerializer(data=request.data))
        with named_as_sent():
            services.flag_review(
                user=user, flag=flag, reason=data["reason"], via=via_request(request)
            )
        return Response(status=204)


class InterviewRecordView(APIView):
    @extend_schema(
        summary="Record a return home interview (completed or refused)",
        description=(
            "For the team the interview is assigned to. A completed interview is shared in"
            " writing with the police and the social worker at once; a refusal needs"
            " `refused_reason`."
        ),
        request=ms.InterviewRecordSerializer,
        responses={200: ms.InterviewSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, interview_id: int) -> Response:
        user = acting_user(request)
        interview = selectors.interview_get_for_user(user=user, interview_id=interview_id)
        data = valid(ms.InterviewRecordSerializer(data=request.data))
        via = via_request(request)
        with named_as_sent():
            if data.pop("outcome") == "refused":
                services.interview_refuse(
                    user=user,
                    interview=interview,
                    reason=data["refused_reason"],
                    offered_on=data.get("offered_on"),
                    via=via,
                )
            else:
                data.pop("refused_reason")
                services.interview_complete(
                    user=user, interview=interview, details=InterviewDetails(**data), via=via
                )
        return Response(ms.InterviewSerializer(interview).data)


class FiguresView(APIView):
    @extend_schema(
        summary="Missing children figures: counts and shares, no names",
        parameters=[ms.FiguresQuerySerializer],
        responses={200: ms.FiguresSerializer, 400: ERRORS, 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = query_of(request, ms.FiguresQuerySerializer)
        figures = selectors.missing_figures(user=acting_user(request), since=query.get("since"))
        return Response(ms.FiguresSerializer(figures.as_dict()).data)
