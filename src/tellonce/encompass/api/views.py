"""The API of Operation Encompass: police systems send incidents (one, or a morning's
batch); schools read and acknowledge their notifications; the partnership reads the
coverage and the figures. Thin: the services and selectors decide everything."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.api.errors import ERRORS
from tellonce.api.query import query_of
from tellonce.api.requests import api_name, named_as_sent, problems, valid
from tellonce.api.schema import non_empty, refused_when
from tellonce.audit.services import audit_list, people_on, via_request
from tellonce.core.requests import acting_user
from tellonce.encompass import selectors, services
from tellonce.encompass.api import serializers as es
from tellonce.encompass.models import Channel


class IncidentCreateView(APIView):
    @extend_schema(
        summary="Record a domestic abuse incident, or a batch of them (police)",
        description=(
            'One incident as the body, or `{"incidents": [...]}` for a batch. Each child'
            " is a TellOnce id (`person`) or their details, matched as your agency's record."
            " A batch answers 200 with `recorded` (index, id, reference) and `errors`"
            " (index, field, message): every good incident lands, each bad one is not"
            " written at all."
        ),
        request=es.IncidentCreateSerializer,
        extensions=non_empty("children")
        | refused_when(
            occurred_at="in the future",
            police_ref="only spaces, or already recorded",
            **{
                "children[].person": "no such person",
                "children[].nhs_number": "its check digit does not match",
            },
            **{
                f"children[].{name}": "missing, when the child is not a person_id"
                for name in ("given_name", "family_name", "date_of_birth")
            },
        ),
        responses={201: es.IncidentSerializer, 200: dict, 400: ERRORS, 403: ERRORS},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        services.require_police(user)
        if isinstance(request.data, dict) and "incidents" in request.data:
            return self._batch(request)
        data = valid(es.IncidentCreateSerializer(data=request.data))
        with named_as_sent():
            incident = services.incident_record(
                user=user,
                details=es.IncidentCreateSerializer.details(data),
                via=via_request(request),
                channel=Channel.API,
            )
        return Response(es.IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    def _batch(self, request: Request) -> Response:
        rows = valid(es.BatchCreateSerializer(data=request.data))["incidents"]
        errors: list[dict[str, Any]] = []
        parsed: list[tuple[int, services.IncidentDetails]] = []
        for n, row in enumerate(rows):
            body = es.IncidentCreateSerializer(data=row)
            if body.is_valid():
                parsed.append((n, es.IncidentCreateSerializer.details(body.validated_data)))
            else:
                errors += [
                    {"index": n, "field": field, "message": message}
                    for field, message in problems(body.errors)
                ]
        result = services.incidents_record(
            user=acting_user(request),
            batch=[d for _, d in parsed],
            via=via_request(request),
            channel=Channel.API,
        )
        for k, found in result.problems.items():
            errors += [
                {"index": parsed[k][0], "field": api_name(field), "message": message}
                for field, message in found.items()
            ]
        good = [n for k, (n, _) in enumerate(parsed) if k not in result.problems]
        recorded = [
            {"index": n, "id": incident.pk, "police_ref": incident.police_ref}
            for n, incident in zip(good, result.recorded, strict=True)
        ]
        errors.sort(key=lambda e: e["index"])
        return Response({"recorded": recorded, "errors": errors})


class NotificationsView(APIView):
    @extend_schema(
        summary="Your team's Operation Encompass notifications (waiting, or ?acknowledged=true)",
        parameters=[es.NotificationQuerySerializer],
        responses={200: es.NotificationSerializer(many=True), 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        acknowledged = query_of(request, es.NotificationQuerySerializer)["acknowledged"]
        user = acting_user(request)
        rows = list(selectors.notifications_for_team(user=user, acknowledged=acknowledged)[:500])
        audit_list(
            via_request(request),
            user=user,
            listed="Operation Encompass notifications",
            people=people_on(rows),
        )
        return Response(es.NotificationSerializer(rows, many=True).data)


class NotificationView(APIView):
    @extend_schema(
        summary="A notification (the team it was sent to, or escalated to; audited)",
        responses={200: es.NotificationSerializer, 404: ERRORS},
    )
    def get(self, request: Request, notification_id: int) -> Response:
        notification = selectors.notification_get_for_user(
            user=acting_user(request), notification_id=notification_id, via=via_request(request)
        )
        return Response(es.NotificationSerializer(notification).data)


class AcknowledgeView(APIView):
    @extend_schema(
        summary="Acknowledge a notification (the school's safeguarding lead)",
        request=None,
        responses={200: es.NotificationSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, notification_id: int) -> Response:
        via = via_request(request)
        notification = selectors.notification_get_for_user(
            user=acting_user(request), notification_id=notification_id, via=via
        )
        notification = services.notification_acknowledge(
            user=acting_user(request), notification=notification, via=via
        )
        return Response(es.NotificationSerializer(notification).data)


class WithdrawView(APIView):
    @extend_schema(
        summary="Withdraw an incident recorded in error (the recording team, the police"
        " MASH desk or the force's system)",
        description=(
            "The incident and its notifications leave the schools' inboxes, the clock and"
            " the figures; every team told of it is told it was withdrawn. A second"
            " withdrawal is a 409."
        ),
        request=es.IncidentWithdrawSerializer,
        responses={204: None, 400: ERRORS, 403: ERRORS, 404: ERRORS, 409: ERRORS},
    )
    def post(self, request: Request, incident_id: int) -> Response:
        user = acting_user(request)
        via = via_request(request)
        incident = selectors.incident_get_for_user(user=user, incident_id=incident_id, via=via)
        if not selectors.may_withdraw_incident(user, incident):
            # Who may act is answered before what they sent.
            raise PermissionDenied(services.WITHDRAW_REFUSED)
        data = valid(es.IncidentWithdrawSerializer(data=request.data))
        with named_as_sent():
            services.incident_withdraw(user=user, incident=incident, reason=data["reason"], via=via)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CoverageView(APIView):
    @extend_schema(
        summary="Which schools are signed up, and what each was sent (partnership)",
        responses={200: es.CoverageSerializer, 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(es.CoverageSerializer(selectors.coverage(user=acting_user(request))).data)


class FiguresView(APIView):
    @extend_schema(
        summary="Operation Encompass figures: counts and rates, no names (partnership)",
        responses={200: dict, 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.figures(user=acting_user(request)))
