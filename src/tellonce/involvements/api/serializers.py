"""The involvement register as the API shows it and takes it."""

from __future__ import annotations

from rest_framework import serializers

from tellonce.api.text import CheckedModelSerializer
from tellonce.involvements.models import Involvement
from tellonce.organisations.api.serializers import TeamSerializer


class InvolvementSerializer(CheckedModelSerializer):
    team = TeamSerializer()
    practitioner: serializers.Field = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Involvement
        fields = [
            "id",
            "capacity",
            "team",
            "practitioner",
            "started_on",
            "ended_on",
            "is_lead_professional",
            "confirmation",
        ]
