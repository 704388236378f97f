"""The API of webhooks: an agency system account registers where its team's new alerts
are POSTed (the secret to check them is shown once), lists its webhooks with how their
recent deliveries went, and stops one. For agency system accounts only: a person is
refused (403)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.accounts.models import User
from tellonce.alerts.selectors import (
    DELIVERY_STATUSES,
    delivery_status,
    webhook_get_for_user,
    webhook_list,
)
from tellonce.alerts.services import webhook_deactivate, webhook_register
from tellonce.api.errors import ERRORS
from tellonce.api.schema import refused_when
from tellonce.api.text import CheckedSerializer
from tellonce.audit.services import via_request
from tellonce.core.requests import acting_user


class WebhookRegisterSerializer(CheckedSerializer):
    url = serializers.URLField(
        max_length=500,
        help_text="Where to POST each new alert: https (http only to this machine, where"
        " TellOnce allows it)",
    )


class WebhookDeliverySerializer(CheckedSerializer):
    id = serializers.IntegerField()
    alert = serializers.IntegerField(source="alert_id")
    status = serializers.SerializerMethodField()
    attempts = serializers.IntegerField()
    last_status = serializers.IntegerField(
        allow_null=True, help_text="The receiver's last HTTP status; null if it never answered"
    )
    next_retry_on = serializers.SerializerMethodField(
        help_text="When a waiting delivery is tried next (null: at once, or never again)"
    )
    delivered_on = serializers.DateTimeField(source="sent_on", allow_null=True)
    failed_on = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=DELIVERY_STATUSES))
    def get_status(self, delivery: Any) -> str:
        return delivery_status(delivery)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_retry_on(self, delivery: Any) -> str | None:
        if delivery_status(delivery) != "waiting" or delivery.claimed_until is None:
            return None
        return serializers.DateTimeField().to_representation(delivery.claimed_until)


class WebhookSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    active = serializers.BooleanField()
    created_on = serializers.DateTimeField()
    deactivated_on = serializers.DateTimeField(allow_null=True)


class WebhookListedSerializer(WebhookSerializer):
    deliveries = WebhookDeliverySerializer(
        source="recent", many=True, help_text="Its most recent deliveries, newest first"
    )


class WebhookRegisteredSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text="The secret that signs its requests (X-TellOnce-Signature): shown only"
        " now, never again"
    )


def _system_account(request: Request) -> User:
    user = acting_user(request)
    if not user.is_system_account or user.team_id is None:
        raise PermissionDenied("Webhooks are for agency system accounts only")
    return user


class WebhooksView(APIView):
    @extend_schema(
        summary="Your webhooks (an agency system's), each with its recent deliveries",
        responses={200: WebhookListedSerializer(many=True), 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = _system_account(request)
        return Response(WebhookListedSerializer(webhook_list(user=user), many=True).data)

    @extend_schema(
        summary="Register a webhook: each new alert for your team is POSTed to it, signed",
        description=(
            "For agency system accounts. The answer holds the signing secret, shown this"
            " once. How to check a request's signature, refuse replays and drop repeats:"
            " `X-TellOnce-Signature` is `sha256=` and the hex HMAC-SHA256, keyed with the"
            " secret, of `<X-TellOnce-Timestamp>.<the raw body>`; the body's `id`"
            " (`X-TellOnce-Delivery`) is the same on every retry."
        ),
        request=WebhookRegisterSerializer,
        responses={201: WebhookRegisteredSerializer, 400: ERRORS, 403: ERRORS},
        extensions={
            **refused_when(
                url="not https (http only to 127.0.0.1, localhost or ::1, where TellOnce"
                " allows it), or with a user name or password"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        user = _system_account(request)
        body = WebhookRegisterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        webhook, secret = webhook_register(
            account=user, url=body.validated_data["url"], via=via_request(request)
        )
        data = {**WebhookSerializer(webhook).data, "secret": secret}
        return Response(data, status=status.HTTP_201_CREATED)


class WebhookDeactivateView(APIView):
    @extend_schema(
        summary="Stop a webhook of yours: nothing more is sent to it (again is harmless)",
        request=None,
        responses={200: WebhookSerializer, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, webhook_id: int) -> Response:
        user = _system_account(request)
        webhook = webhook_get_for_user(user=user, webhook_id=webhook_id)
        webhook = webhook_deactivate(webhook=webhook, by=user, via=via_request(request))
        return Response(WebhookSerializer(webhook).data)
