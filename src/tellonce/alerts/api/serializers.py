"""Alerts as the API shows them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tellonce.api.query import FlagField
from tellonce.api.text import CheckedSerializer


class AlertQuerySerializer(CheckedSerializer):
    unread = FlagField(required=False, default=False, help_text="Only alerts not yet read")


class AlertSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    team = serializers.CharField(source="team.name")
    agency = serializers.CharField(source="team.agency.name")
    practitioner = serializers.SerializerMethodField()
    person = serializers.UUIDField(source="person_id", allow_null=True)
    delivered_on = serializers.DateTimeField()
    read_on = serializers.DateTimeField(allow_null=True)

    def get_practitioner(self, alert: Any) -> str | None:
        return alert.user.get_full_name() if alert.user else None
