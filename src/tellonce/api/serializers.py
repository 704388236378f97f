"""What every domain's API shows the same way: where a fact came from."""

from __future__ import annotations

from rest_framework import serializers

from tellonce.api.text import CheckedSerializer


class SourceSerializer(CheckedSerializer):
    """Where a fact came from."""

    agency = serializers.CharField(source="source_agency.name")
    system = serializers.CharField(source="source_system")
    received_on = serializers.DateTimeField()
    recorded_by = serializers.CharField(source="recorder_label")
