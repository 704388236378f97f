"""The child's voice and the family's account as the API shows and takes them."""

from __future__ import annotations

from rest_framework import serializers

from tellonce.api.text import CheckedSerializer
from tellonce.voices.models import Consent, VoiceKind


class VoiceSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    speaker = serializers.CharField()
    words = serializers.CharField()
    said_on = serializers.DateField()
    consent = serializers.CharField()
    lawful_basis = serializers.CharField()
    agency = serializers.CharField(source="source_agency.name")
    recorded_by = serializers.CharField(source="recorder_label")


class VoiceCreateSerializer(CheckedSerializer):
    kind = serializers.ChoiceField(choices=VoiceKind.choices)
    speaker = serializers.CharField(max_length=200)
    words = serializers.CharField()
    said_on = serializers.DateField()
    consent = serializers.ChoiceField(choices=Consent.choices)
    safeguarding_reason = serializers.CharField(required=False, default="", allow_blank=True)
    system = serializers.CharField(max_length=100, required=False, default="")
