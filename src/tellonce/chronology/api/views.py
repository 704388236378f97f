"""The API of the chronology: reading a person's (full access only) and adding an
agency's event to it."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.access.selectors import FlagOnlyError, person_get_for_user
from tellonce.api.errors import ERRORS, flag_only
from tellonce.api.query import query_of
from tellonce.api.schema import refused_when
from tellonce.audit.services import via_request
from tellonce.chronology.api import serializers as s
from tellonce.chronology.selectors import ChronologyFilter, chronology_for
from tellonce.chronology.services import chronology_event_record
from tellonce.core.requests import acting_user


class ChronologyView(APIView):
    @extend_schema(
        summary="A person's multi-agency chronology, newest first (full access only)",
        extensions=refused_when(agency="no agency has the code", until="before since"),
        parameters=[s.ChronologyQuerySerializer],
        responses={200: s.ChronologyEventSerializer(many=True), 400: ERRORS, 403: ERRORS},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        data = query_of(request, s.ChronologyQuerySerializer)
        filters = ChronologyFilter(
            agency_id=data.get("agency_id"),
            kind=data.get("kind"),
            since=data.get("since"),
            until=data.get("until"),
        )
        try:
            _, events = chronology_for(
                user=acting_user(request),
                person_id=person_id,
                filters=filters,
                via=via_request(request),
            )
        except FlagOnlyError:
            return flag_only(request, person_id)
        return Response(s.ChronologyEventSerializer(events[:2000], many=True).data)

    @extend_schema(
        summary="Add a significant event (your team or agency must be involved)",
        extensions=refused_when(
            summary="too short to say what happened (a sentence or more)",
            occurred_on="in the future, or before the person's birth",
        ),
        description=(
            "An agency system may send its own id for the event as `external_ref`: the same"
            " id from the same system again returns the event already stored (200)."
        ),
        request=s.ChronologyEventCreateSerializer,
        responses={
            201: s.ChronologyEventSerializer,
            200: s.ChronologyEventSerializer,
            400: ERRORS,
            403: ERRORS,
        },
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = person_get_for_user(user=user, person_id=person_id)
        body = s.ChronologyEventCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event, created = chronology_event_record(
            user=user, person=person, via=via_request(request), **body.validated_data
        )
        return Response(
            s.ChronologyEventSerializer(event).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
