"""The API of the involvement register: a team records that it now works with a
person (everyone involved is told), and ends it."""

from __future__ import annotations

from uuid import UUID

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.access.selectors import person_get_for_user
from tellonce.accounts.requests import acting_user
from tellonce.api.errors import ERRORS
from tellonce.audit.services import via_request
from tellonce.involvements.api import serializers as s
from tellonce.involvements.models import Involvement
from tellonce.involvements.services import involvement_end, involvement_record


class InvolvementStartView(APIView):
    @extend_schema(
        summary="Record that your team now works with a person; everyone involved is told",
        description=(
            "For practitioners: the involvement is your team's, with you as the named"
            " worker. Everyone working with the child or their household is alerted, and"
            " you are told who they are. One lead professional per child."
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
        involvement = get_object_or_404(Involvement, pk=involvement_id, team=user.team)
        body = s.InvolvementEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ended = involvement_end(
            user=user, involvement=involvement, via=via_request(request), **body.validated_data
        )
        return Response(s.InvolvementSerializer(ended).data)
