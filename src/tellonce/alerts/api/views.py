"""The API of alerts: a user's (or a system's) inbox, one alert, and marking one read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.alerts.api import serializers as s
from tellonce.alerts.selectors import alert_get_for_user, alert_inbox
from tellonce.alerts.services import alert_looked_at, alert_mark_read
from tellonce.api.errors import ERRORS
from tellonce.api.query import query_of
from tellonce.audit.services import audit_list, people_on, via_request
from tellonce.core.requests import acting_user


class AlertInboxView(APIView):
    @extend_schema(
        summary="Your alerts and your team's (a system account: its team's), newest first",
        parameters=[s.AlertQuerySerializer],
        responses={200: s.AlertSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        unread = query_of(request, s.AlertQuerySerializer)["unread"]
        alerts = alert_inbox(user=user)
        if unread:
            alerts = alerts.filter(read_on__isnull=True)
        shown = list(alerts[:500])
        audit_list(via_request(request), user=user, listed="alerts inbox", people=people_on(shown))
        return Response(s.AlertSerializer(shown, many=True).data)


class AlertView(APIView):
    @extend_schema(
        summary="An alert in your inbox (it stays unread; reading it is audited)",
        responses={200: s.AlertSerializer, 404: ERRORS},
    )
    def get(self, request: Request, alert_id: int) -> Response:
        user = acting_user(request)
        alert = alert_get_for_user(user=user, alert_id=alert_id)
        alert_looked_at(via_request(request), user=user, alert=alert)
        return Response(s.AlertSerializer(alert).data)


class AlertReadView(APIView):
    @extend_schema(
        summary="Mark an alert read",
        request=None,
        responses={200: s.AlertSerializer, 404: ERRORS},
    )
    def post(self, request: Request, alert_id: int) -> Response:
        user = acting_user(request)
        alert = alert_mark_read(alert=alert_get_for_user(user=user, alert_id=alert_id), user=user)
        alert_looked_at(via_request(request), user=user, alert=alert)
        return Response(s.AlertSerializer(alert).data)
