"""The partnership's agencies and teams as the API shows them."""

from __future__ import annotations

from rest_framework import serializers

from tellonce.organisations.models import Agency, Team


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "phone", "email"]


class TeamSerializer(serializers.ModelSerializer):
    agency = AgencySerializer()

    class Meta:
        model = Team
        fields = ["id", "name", "service", "phone", "email", "out_of_hours", "agency"]
