"""Break-glass and the access log as the API shows and takes them."""

from __future__ import annotations

from rest_framework import serializers

from tellonce.api.text import CheckedModelSerializer, CheckedSerializer
from tellonce.audit.models import AuditEvent


class BreakGlassRequestSerializer(CheckedSerializer):
    reason = serializers.CharField(allow_blank=True)


class BreakGlassGrantSerializer(CheckedSerializer):
    person = serializers.UUIDField(source="person_id")
    reason = serializers.CharField()
    granted_on = serializers.DateTimeField()
    expires_on = serializers.DateTimeField()


class AuditEventSerializer(CheckedModelSerializer):
    actor = serializers.CharField(source="actor_label")
    team: serializers.Field = serializers.StringRelatedField(
        source="actor.team", allow_null=True, default=None
    )

    class Meta:
        model = AuditEvent
        fields = ["seq", "at", "actor", "team", "action", "channel", "ip_address", "reason"]
