"""Shapes of the Operation Encompass API: incidents from police systems (one, or a
morning's batch), notifications (the statutory fields only), coverage and figures."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tellonce.api.formats import format_field
from tellonce.api.query import FlagField
from tellonce.api.text import CheckedModelSerializer, CheckedSerializer
from tellonce.encompass import services
from tellonce.encompass.models import DomesticAbuseIncident, Notification
from tellonce.people.models import Sex


class IncidentChildSerializer(CheckedSerializer):
    person = serializers.UUIDField(
        required=False, help_text="The child's TellOnce id, when your system knows it"
    )
    given_name = serializers.CharField(required=False, allow_blank=True, default="")
    family_name = serializers.CharField(required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(required=False, allow_blank=True, default="")
    nhs_number = format_field("nhs-number", blank=True)(required=False, default="")
    present = serializers.BooleanField(help_text="Whether the child was present")
    voice = serializers.CharField(help_text="What the child said, or how they presented")


class IncidentCreateSerializer(CheckedSerializer):
    police_ref = serializers.CharField(max_length=100)
    occurred_at = serializers.DateTimeField()
    place = serializers.CharField(allow_blank=True)
    children = IncidentChildSerializer(
        many=True,
        allow_empty=False,
        error_messages={"empty": "Name at least one child of the household"},
    )

    @staticmethod
    def details(data: dict[str, Any]) -> services.IncidentDetails:
        return services.IncidentDetails(
            police_ref=data["police_ref"],
            occurred_at=data["occurred_at"],
            place=data["place"],
            children=[
                services.ChildDetails(
                    person_id=c.get("person"),
                    given_name=c["given_name"],
                    family_name=c["family_name"],
                    date_of_birth=c["date_of_birth"],
                    sex=c["sex"],
                    postcode=c["postcode"],
                    nhs_number=c["nhs_number"],
                    present=c["present"],
                    voice=c["voice"],
                )
                for c in data["children"]
            ],
        )


class BatchCreateSerializer(CheckedSerializer):
    incidents = serializers.ListField(child=serializers.DictField(), allow_empty=False)


class NotificationSentSerializer(CheckedModelSerializer):
    person = serializers.UUIDField(source="person_id")
    team = serializers.CharField(source="team.name")

    class Meta:
        model = Notification
        fields = ["id", "person", "recipient", "team", "council_reason", "due_by"]


class IncidentSerializer(CheckedModelSerializer):
    notifications = NotificationSentSerializer(many=True)

    class Meta:
        model = DomesticAbuseIncident
        fields = ["id", "police_ref", "occurred_at", "place", "received_on", "notifications"]


class IncidentWithdrawSerializer(CheckedSerializer):
    reason = serializers.CharField(
        min_length=services.REASON_AT_LEAST,
        help_text="Why the incident was recorded in error, for example the wrong child",
    )


class NotificationQuerySerializer(CheckedSerializer):
    acknowledged = FlagField(
        required=False, default=False, help_text="The notifications already acknowledged"
    )


class NotificationSerializer(CheckedModelSerializer):
    """A notification as its recipient sees it: the statutory fields and its status."""

    fields_ = serializers.SerializerMethodField(method_name="statutory")
    delivered_on = serializers.DateTimeField(source="alert.delivered_on", allow_null=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.get_full_name", default="")

    class Meta:
        model = Notification
        fields = [
            "id",
            "recipient",
            "council_reason",
            "due_by",
            "delivered_on",
            "acknowledged_on",
            "acknowledged_by",
            "fields_",
        ]

    def statutory(self, notification: Notification) -> dict[str, str]:
        return dict(services.notification_fields(notification))

    def to_representation(self, instance: Notification) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["notification"] = data.pop("fields_")
        return data


class SchoolCoverageSerializer(CheckedSerializer):
    school = serializers.CharField(source="school.name")
    code = serializers.CharField(source="school.code")
    signed_up = serializers.BooleanField()
    signed_up_on = serializers.DateField(allow_null=True)
    sent = serializers.IntegerField()
    delivered_on_time = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    late = serializers.IntegerField()


class CoverageSerializer(CheckedSerializer):
    schools = SchoolCoverageSerializer(many=True)
    not_signed_up = serializers.SerializerMethodField()

    def get_not_signed_up(self, coverage: Any) -> list[str]:
        return [s.school.name for s in coverage.not_signed_up]
