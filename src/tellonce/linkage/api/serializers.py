"""Linkage as the API shows and takes it: an agency's record arriving, the review
queue and its decisions, undoing a merge, and real-time matching."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tellonce.api.formats import FIELD_FORMATS
from tellonce.api.text import CheckedModelSerializer, CheckedSerializer
from tellonce.feeds.mapping import BOOLEAN_FIELDS, DATE_FIELDS, FIELD_CHECKS
from tellonce.feeds.models import ReportedInvolvement
from tellonce.feeds.services import API_REQUIRED, agency_record_check
from tellonce.linkage.matching import match_request_check
from tellonce.people.api.serializers import PersonSummarySerializer
from tellonce.people.models import AgencyRecord, Sex


class AgencyRecordReceiveSerializer(CheckedSerializer):
    """One of the agency's records, as a feed row with TellOnce's field names and ISO
    dates, plus the agency system it comes from. Checked exactly as a feed row is
    (`tellonce.feeds.services.agency_record_check`); the agency is the caller's."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # Declared for the API schema; the checks themselves are the feeds' own.
        fields: dict[str, serializers.Field] = {
            "system": serializers.CharField(help_text="The agency system, e.g. Mosaic")
        }
        for name in FIELD_CHECKS:
            if name in DATE_FIELDS:
                fields[name] = serializers.DateField(required=False)
            elif name in BOOLEAN_FIELDS:
                fields[name] = serializers.BooleanField(required=False)
            elif name in FIELD_FORMATS:
                fields[name] = FIELD_FORMATS[name](required=False)
            else:
                fields[name] = serializers.CharField(required=name in API_REQUIRED)
        return fields

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {"non_field_errors": ["Send one record as a JSON object"]}
            )
        row, system, problems = agency_record_check(data, agency=self.context["agency"])
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.field, []).append(problem.reason_without_value)
            raise serializers.ValidationError(errors)
        return {"row": row, "system": system}


class ReportedInvolvementSerializer(CheckedModelSerializer):
    team = serializers.CharField(source="team.name")

    class Meta:
        model = ReportedInvolvement
        fields = [
            "team",
            "capacity",
            "started_on",
            "ended_on",
            "end_reason",
            "practitioner_name",
            "is_lead_professional",
        ]


class RecordLinkageSerializer(CheckedSerializer):
    outcome = serializers.CharField(
        help_text=(
            "linked, new person, new person with a possible match waiting for review,"
            " already linked, or waiting for the first linkage run"
        )
    )
    person = serializers.UUIDField(allow_null=True, help_text="The TellOnce person")


class AgencyRecordSerializer(CheckedModelSerializer):
    """An agency's own record as TellOnce holds it, and what receiving it did."""

    status = serializers.SerializerMethodField(help_text="new, updated or unchanged")
    linkage = serializers.SerializerMethodField()
    agency = serializers.CharField(source="agency.code")
    record_id = serializers.CharField(source="local_id")
    address = serializers.CharField(source="address_line")
    involvements = ReportedInvolvementSerializer(many=True, source="reported_involvements")

    class Meta:
        model = AgencyRecord
        fields = [
            "status",
            "agency",
            "system",
            "record_id",
            "given_name",
            "middle_names",
            "family_name",
            "date_of_birth",
            "sex",
            "ethnicity",
            "postcode",
            "address",
            "uprn",
            "nhs_number",
            "upn",
            "police_ref",
            "council_ref",
            "national_id",
            "received_on",
            "involvements",
            "linkage",
        ]

    def get_status(self, record: AgencyRecord) -> str:
        return str(self.context.get("status", ""))

    @extend_schema_field(RecordLinkageSerializer)
    def get_linkage(self, record: AgencyRecord) -> dict[str, Any]:
        return {"outcome": str(self.context.get("linkage", "")), "person": record.person_id}


class LinkageRecordSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    agency = serializers.CharField(source="agency.name")
    system = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.CharField()
    postcode = serializers.CharField()
    nhs_number = serializers.CharField()
    upn = serializers.CharField()


class ContributionSerializer(CheckedSerializer):
    comparison = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    weight = serializers.FloatField(help_text="log2 Bayes factor: positive is evidence for")


class ReviewPairSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    match_probability = serializers.FloatField()
    match_weight = serializers.FloatField()
    model_version = serializers.IntegerField(source="model.version")
    left = LinkageRecordSerializer()
    right = LinkageRecordSerializer()
    explanation = ContributionSerializer(many=True)


class ReviewDecisionRequestSerializer(CheckedSerializer):
    decision = serializers.ChoiceField(choices=["same", "not_same"])
    reason = serializers.CharField(allow_blank=True)


class ReviewDecisionSerializer(CheckedSerializer):
    decision = serializers.CharField()
    reason = serializers.CharField()
    decided_on = serializers.DateTimeField()


class UnmergeRequestSerializer(CheckedSerializer):
    reason = serializers.CharField(allow_blank=True)


class MatchRequestSerializer(CheckedSerializer):
    """A person described by whatever the caller knows; checked as feed values are."""

    given_name = serializers.CharField(required=False)
    family_name = serializers.CharField(required=False)
    date_of_birth = serializers.DateField(required=False, help_text="YYYY-MM-DD")
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    postcode = FIELD_FORMATS["postcode"](required=False)
    address = serializers.CharField(required=False)
    uprn = FIELD_FORMATS["uprn"](required=False)
    nhs_number = FIELD_FORMATS["nhs_number"](required=False)
    upn = FIELD_FORMATS["upn"](required=False)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object"]})
        record, problems = match_request_check(data)
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.field, []).append(problem.reason_without_value)
            raise serializers.ValidationError(errors)
        return record


class MatchContributionSerializer(CheckedSerializer):
    comparison = serializers.CharField(source="description")
    found = serializers.CharField(source="label")
    weight = serializers.FloatField(
        source="match_weight", help_text="log2 Bayes factor: positive is evidence for"
    )


class MatchCandidateSerializer(CheckedSerializer):
    person = PersonSummarySerializer()
    match_probability = serializers.FloatField()
    match_weight = serializers.FloatField()
    full_access = serializers.BooleanField(
        help_text="True: GET the record. False: only the flag (who to contact)."
    )
    explanation = MatchContributionSerializer(many=True, source="contributions")
