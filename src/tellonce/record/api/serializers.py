"""The person's record, the flag and search as the API shows and takes them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from tellonce.api.formats import format_field
from tellonce.api.serializers import SourceSerializer
from tellonce.api.text import CheckedSerializer
from tellonce.core.dates import InvalidDateError, PartialDate
from tellonce.involvements.api.serializers import InvolvementSerializer
from tellonce.involvements.models import Capacity
from tellonce.organisations.api.serializers import TeamSerializer
from tellonce.people.api.serializers import (
    IdentifierSerializer,
    NameSerializer,
    PersonSummarySerializer,
    ResidenceSerializer,
)
from tellonce.people.models import IdentifierScheme
from tellonce.record.selectors import PersonQuery


class FamilyMemberSerializer(CheckedSerializer):
    person = PersonSummarySerializer()
    relationship = serializers.CharField()
    household = serializers.BooleanField(help_text="Lives in the same household now")
    possible = serializers.BooleanField(
        help_text="Shares a current address, though no agency says they live together"
    )
    said_by = serializers.ListField(
        child=serializers.CharField(),
        help_text="The agencies whose records say so; where they disagree, `relationship`"
        ' gives each word ("Mother or Carer")',
    )
    involvements = InvolvementSerializer(many=True, help_text="Who works with them now")


class PersonRecordSerializer(CheckedSerializer):
    id = serializers.UUIDField(source="person.id")
    given_name = serializers.CharField(source="person.given_name")
    middle_names = serializers.CharField(source="person.middle_names")
    family_name = serializers.CharField(source="person.family_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)
    sex = serializers.CharField(source="person.sex")
    ethnicity = serializers.CharField(source="person.ethnicity")
    is_child = serializers.BooleanField(source="person.is_child")
    access = serializers.CharField(source="access.basis")
    source = SourceSerializer(source="person")  # type: ignore[assignment]
    names = NameSerializer(many=True)
    identifiers = IdentifierSerializer(many=True)
    addresses = ResidenceSerializer(many=True, source="residences")
    family = FamilyMemberSerializer(many=True)
    involvements = InvolvementSerializer(many=True)


class FlagContactSerializer(CheckedSerializer):
    agency = serializers.CharField(source="agency.name")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    phone = serializers.CharField()
    email = serializers.CharField()


class PersonFlagSerializer(CheckedSerializer):
    id = serializers.UUIDField(source="person.id")
    given_name = serializers.CharField(source="person.given_name")
    family_name = serializers.CharField(source="person.family_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)
    is_known = serializers.BooleanField()
    contacts = FlagContactSerializer(many=True)


class SearchQuerySerializer(CheckedSerializer):
    given_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    date_of_birth = format_field("partial-date", blank=True)(
        required=False, help_text="YYYY, YYYY-MM or YYYY-MM-DD"
    )
    identifier = serializers.CharField(required=False, allow_blank=True, max_length=40)

    def validate_date_of_birth(self, value: str) -> PartialDate | None:
        if not value:
            return None
        parts = value.strip().split("-")
        if len(parts) > 3:
            raise serializers.ValidationError("Use YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = [*parts, "", ""][:3]
        try:
            return PartialDate.from_parts(day, month, year, today=timezone.localdate())
        except InvalidDateError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        query = PersonQuery.from_fields(attrs)
        problems = query.problems()
        if problems:
            raise serializers.ValidationError(problems)
        attrs["query"] = query
        return attrs


class SearchHitSerializer(CheckedSerializer):
    person = PersonSummarySerializer()
    score = serializers.FloatField()
    matched_on = serializers.CharField()
    full_access = serializers.BooleanField(
        help_text="True: GET the record. False: only the flag (who to contact)."
    )


class IdentifierCreateSerializer(CheckedSerializer):
    scheme = serializers.ChoiceField(choices=IdentifierScheme.choices)
    value = serializers.CharField(max_length=40)


class ArchiveRequestSerializer(CheckedSerializer):
    reason = serializers.CharField(allow_blank=True)


class InvolvementToConfirmSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    person = PersonSummarySerializer()
    team = TeamSerializer()
    capacity = serializers.CharField()
    started_on = serializers.DateField()
    is_lead_professional = serializers.BooleanField()
    recorded_by = serializers.CharField(source="recorded_by.get_full_name", allow_null=True)
    confirm_by = serializers.DateTimeField(help_text="It lapses then, if nobody confirms it")


class InvolvementDecisionSerializer(CheckedSerializer):
    confirmed = serializers.BooleanField()
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why not, when it is not"
    )


class InvolvementStartSerializer(CheckedSerializer):
    capacity = serializers.ChoiceField(choices=Capacity.choices)
    started_on = serializers.DateField()
    is_lead_professional = serializers.BooleanField(default=False)


class InvolvementEndSerializer(CheckedSerializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)
