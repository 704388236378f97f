"""The API of access to a person's record: breaking the glass, and who looked."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.access import selectors
from tellonce.access.api import serializers as s
from tellonce.access.selectors import person_get_for_user
from tellonce.access.services import break_glass_open
from tellonce.api.errors import ERRORS
from tellonce.api.schema import refused_when
from tellonce.audit.services import via_request
from tellonce.core.limits import rate_limit
from tellonce.core.requests import acting_user


class BreakGlassView(APIView):
    @extend_schema(
        summary="Open a record without a relationship, giving a reason (practitioners only)",
        extensions=refused_when(
            reason="fewer than 20 characters or 4 different words: a manager must be able"
            " to check it",
            person="the caller can already see the record: there is no glass to break",
        ),
        request=s.BreakGlassRequestSerializer,
        responses={201: s.BreakGlassGrantSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = person_get_for_user(user=user, person_id=person_id)
        body = s.BreakGlassRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rate_limit(request, "break_glass")
        grant = break_glass_open(
            user=user, person=person, reason=body.validated_data["reason"], via=via_request(request)
        )
        return Response(s.BreakGlassGrantSerializer(grant).data, status=status.HTTP_201_CREATED)


class AccessLogView(APIView):
    @extend_schema(
        summary="Who has looked at a person's record (managers of the teams involved)",
        responses={200: s.AuditEventSerializer(many=True), 403: ERRORS, 404: ERRORS},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        _, events = selectors.access_log(
            user=acting_user(request), person_id=person_id, via=via_request(request)
        )
        return Response(s.AuditEventSerializer(events[:500], many=True).data)
