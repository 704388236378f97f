"""The chronology as the API shows and takes it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tellonce.api.formats import TimeOfDayField
from tellonce.api.text import CheckedSerializer
from tellonce.chronology.models import SYSTEM_KINDS, EventKind
from tellonce.organisations.models import Agency


class ChronologyEventSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    occurred_on = serializers.DateField()
    occurred_at = TimeOfDayField(allow_null=True)
    summary = serializers.CharField()
    unscheduled = serializers.BooleanField()
    agency = serializers.CharField(source="source_agency.name")
    system = serializers.CharField(source="source_system")
    recorded_by = serializers.CharField(source="recorder_label")
    external_ref = serializers.CharField()


class ChronologyEventCreateSerializer(CheckedSerializer):
    kind = serializers.ChoiceField(
        choices=[c for c in EventKind.choices if c[0] not in SYSTEM_KINDS]
    )
    occurred_on = serializers.DateField()
    occurred_at = TimeOfDayField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(max_length=2000)
    unscheduled = serializers.BooleanField(default=False)
    system = serializers.CharField(max_length=100, required=False, default="")
    external_ref = serializers.CharField(max_length=100, required=False, default="")


class ChronologyQuerySerializer(CheckedSerializer):
    agency = serializers.CharField(required=False, help_text="An agency's code")
    kind = serializers.ChoiceField(choices=EventKind.choices, required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": "must be on or after since"})
        code = attrs.get("agency")
        if code:
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                raise serializers.ValidationError({"agency": f"no agency has the code {code!r}"})
            attrs["agency_id"] = agency.pk
        return attrs
