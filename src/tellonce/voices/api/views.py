"""The API of tell it once: the child's voice and the family's account."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.access.selectors import person_get_for_user
from tellonce.api.errors import ERRORS, flag_only
from tellonce.api.schema import refused_when
from tellonce.audit.models import Action
from tellonce.audit.services import audit_via, via_request
from tellonce.core.requests import acting_user
from tellonce.voices.api import serializers as s
from tellonce.voices.selectors import voices_for
from tellonce.voices.services import voice_record


class VoicesView(APIView):
    @extend_schema(
        summary="The child's voice and the family's account you may read (full access)",
        responses={200: s.VoiceSerializer(many=True), 403: ERRORS, 404: ERRORS},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, access = person_get_for_user(user=user, person_id=person_id)
        if not access.is_full:
            return flag_only(request, person_id)
        audit_via(
            via_request(request),
            user=user,
            action=Action.VIEW,
            person=person,
            obj=person,
            detail={"what": "voices"},
        )
        return Response(s.VoiceSerializer(voices_for(user=user, person=person), many=True).data)

    @extend_schema(
        summary="Record the child's voice or the family's account, once, with its lawful basis",
        extensions=refused_when(
            words="only spaces",
            said_on="in the future",
            safeguarding_reason="missing, when consent is not given",
        ),
        request=s.VoiceCreateSerializer,
        responses={201: s.VoiceSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = person_get_for_user(user=user, person_id=person_id)
        body = s.VoiceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        voice = voice_record(
            user=user, person=person, via=via_request(request), **body.validated_data
        )
        return Response(s.VoiceSerializer(voice).data, status=status.HTTP_201_CREATED)
