"""Alerts as the API shows them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tellonce.alerts.selectors import SUBJECT_TYPES, alert_subject
from tellonce.api.query import FlagField
from tellonce.api.text import CheckedSerializer


class AlertQuerySerializer(CheckedSerializer):
    unread = FlagField(required=False, default=False, help_text="Only alerts not yet read")


class AlertSubjectSerializer(CheckedSerializer):
    """What an alert is about (`alerts.selectors.alert_subject`)."""

    type = serializers.ChoiceField(choices=SUBJECT_TYPES)
    id = serializers.IntegerField()
    url = serializers.CharField(
        allow_null=True, help_text="Its API URL, to GET it; null where the API has none"
    )


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
    about = serializers.SerializerMethodField(
        help_text="What the alert is about; null where it names nothing stored"
    )

    def get_practitioner(self, alert: Any) -> str | None:
        return alert.user.get_full_name() if alert.user else None

    @extend_schema_field(AlertSubjectSerializer(allow_null=True))
    def get_about(self, alert: Any) -> dict[str, Any] | None:
        subject = alert_subject(alert)
        return asdict(subject) if subject else None
