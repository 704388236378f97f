"""The API of the person's record: search, the record, the flag, and identifiers.
Thin: the same selectors and services as the pages decide access and audit."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.access.selectors import FlagOnlyError, person_get_for_user
from tellonce.api.errors import ERRORS, error_response, flag_only, not_casework
from tellonce.api.requests import valid
from tellonce.api.schema import refused_when
from tellonce.audit.services import audit_list, via_request
from tellonce.core.limits import rate_limit
from tellonce.core.requests import acting_user
from tellonce.involvements import selectors as involvement_selectors
from tellonce.involvements import services as involvement_services
from tellonce.involvements.selectors import involvement_get_for_user
from tellonce.involvements.services import involvement_end, involvement_record
from tellonce.record import selectors, services
from tellonce.record.api import serializers as s


class PersonSearchView(APIView):
    @extend_schema(
        summary="Find people by name and (partial) date of birth, or by identifier",
        extensions=refused_when(
            family_name="missing, when no NHS number or reference is given",
            date_of_birth="not a real date (2015-02-30), or in the future",
            identifier="not a valid NHS number, pupil number or reference",
        ),
        description="A POST, so that names and dates of birth never appear in URLs or logs.",
        request=s.SearchQuerySerializer,
        responses={200: s.SearchHitSerializer(many=True), 400: ERRORS, 403: ERRORS},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not user.does_casework:
            return not_casework()
        query = s.SearchQuerySerializer(data=request.data)
        query.is_valid(raise_exception=True)
        rate_limit(request, "search")
        try:
            hits = selectors.person_search(
                user=user, query=query.validated_data["query"], via=via_request(request)
            )
        except selectors.SearchNotAllowedError as exc:
            return error_response([{"field": None, "message": str(exc)}], status.HTTP_403_FORBIDDEN)
        return Response(s.SearchHitSerializer(hits, many=True).data)


class PersonRecordView(APIView):
    @extend_schema(
        summary="A person's full record (needs a legitimate relationship)",
        responses={
            200: s.PersonRecordSerializer,
            403: OpenApiResponse(description="Flag only: see `flag` in the body"),
            404: ERRORS,
        },
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        try:
            record = selectors.person_record(
                user=acting_user(request), person_id=person_id, via=via_request(request)
            )
        except FlagOnlyError:
            return flag_only(request, person_id)
        return Response(s.PersonRecordSerializer(record).data)


class PersonFlagView(APIView):
    @extend_schema(
        summary="That a person is known, which agencies are involved and how to contact them",
        responses={200: s.PersonFlagSerializer, 404: ERRORS},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        flag = selectors.person_flag(
            user=acting_user(request), person_id=person_id, via=via_request(request)
        )
        return Response(s.PersonFlagSerializer(flag).data)


class IdentifierCreateView(APIView):
    @extend_schema(
        summary="Record an identifier for a person your agency works with",
        extensions=refused_when(
            value="not valid for its scheme (an NHS number's check digit, a UPN's check"
            " letter, a reference's letters), or already recorded",
        ),
        request=s.IdentifierCreateSerializer,
        responses={201: s.IdentifierSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = person_get_for_user(user=user, person_id=person_id)
        body = s.IdentifierCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        identifier = services.identifier_add(
            user=user, person=person, via=via_request(request), **body.validated_data
        )
        return Response(s.IdentifierSerializer(identifier).data, status=status.HTTP_201_CREATED)


class IdentifierArchiveView(APIView):
    @extend_schema(
        summary="Mark an identifier as wrong (archived with a reason, never deleted)",
        request=s.ArchiveRequestSerializer,
        responses={200: s.IdentifierSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID, identifier_id: int) -> Response:
        user = acting_user(request)
        identifier = selectors.identifier_get_for_user(
            user=user, person_id=person_id, identifier_id=identifier_id
        )
        body = s.ArchiveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.identifier_archive(
            user=user,
            identifier=identifier,
            reason=body.validated_data["reason"],
            via=via_request(request),
        )
        return Response(s.IdentifierSerializer(identifier).data)


class InvolvementStartView(APIView):
    @extend_schema(
        summary="Record that your team now works with a person; everyone involved is told",
        extensions=refused_when(
            capacity="not work your team records",
            started_on="before the person's birth, or in the future",
            ended_on="before started_on",
        ),
        description=(
            "For practitioners: the involvement is your team's, with you as the named"
            " worker, in work your team's service does, from a date after the child's"
            " birth. Everyone working with the child or their household is alerted, and"
            " you are told who they are. One lead professional per child. It opens the"
            " record only once a manager of your team, the child's lead professional or a"
            " MASH manager confirms it (`confirmation`: awaiting, then confirmed); it lapses"
            " if nobody does."
        ),
        request=s.InvolvementStartSerializer,
        responses={201: s.InvolvementSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = person_get_for_user(user=user, person_id=person_id)
        body = s.InvolvementStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        involvement = involvement_record(
            user=user, person=person, via=via_request(request), **body.validated_data
        )
        return Response(s.InvolvementSerializer(involvement).data, status=status.HTTP_201_CREATED)


class InvolvementEndView(APIView):
    @extend_schema(
        summary="End your team's involvement, with the date and why",
        request=s.InvolvementEndSerializer,
        responses={200: s.InvolvementSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, involvement_id: int) -> Response:
        user = acting_user(request)
        involvement = involvement_get_for_user(user=user, involvement_id=involvement_id)
        body = s.InvolvementEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ended = involvement_end(
            user=user, involvement=involvement, via=via_request(request), **body.validated_data
        )
        return Response(s.InvolvementSerializer(ended).data)


class InvolvementsToConfirmView(APIView):
    @extend_schema(
        summary="What practitioners have said and you may confirm (audited)",
        responses={200: s.InvolvementToConfirmSerializer(many=True), 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        waiting = list(involvement_selectors.involvements_to_confirm(user=user)[:200])
        audit_list(
            via_request(request), user=user, listed="involvements to confirm", people=len(waiting)
        )
        return Response(s.InvolvementToConfirmSerializer(waiting, many=True).data)


class InvolvementConfirmView(APIView):
    @extend_schema(
        summary="Confirm that a team works with a child, or say it does not and why",
        description=(
            "A manager of the involvement's team, the child's lead professional or a MASH"
            " manager, never the one who recorded it. Confirmed, it opens the record to the"
            " team; not confirmed, it ends with the reason and the practitioner is told."
        ),
        request=s.InvolvementDecisionSerializer,
        responses={200: s.InvolvementSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, involvement_id: int) -> Response:
        user = acting_user(request)
        involvement = involvement_selectors.involvement_to_confirm_get_for_user(
            user=user, involvement_id=involvement_id
        )
        data = valid(s.InvolvementDecisionSerializer(data=request.data))
        if data["confirmed"]:
            decided = involvement_services.involvement_confirm(
                user=user, involvement=involvement, via=via_request(request)
            )
        else:
            decided = involvement_services.involvement_refuse(
                user=user, involvement=involvement, reason=data["reason"], via=via_request(request)
            )
        return Response(s.InvolvementSerializer(decided).data)
