"""The partnership's agencies and teams as the API shows them."""

from __future__ import annotations

from tellonce.api.text import CheckedModelSerializer
from tellonce.organisations.models import Agency, Team


class AgencySerializer(CheckedModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "phone", "email"]


class TeamSerializer(CheckedModelSerializer):
    agency = AgencySerializer()

    class Meta:
        model = Team
        fields = ["id", "name", "service", "phone", "email", "out_of_hours", "agency"]
