from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tellonce.audit.models import AuditEvent
from tellonce.chronology.models import SYSTEM_KINDS, EventKind
from tellonce.core.dates import InvalidDateError, PartialDate
from tellonce.feeds.mapping import DATE_FIELDS, FIELD_CHECKS
from tellonce.feeds.models import ReportedInvolvement
from tellonce.feeds.services import API_REQUIRED, agency_record_check
from tellonce.involvements.models import Capacity, Involvement
from tellonce.linkage.matching import match_request_check
from tellonce.organisations.models import Agency, Team
from tellonce.people.models import (
    AgencyRecord,
    IdentifierScheme,
    Person,
    PersonIdentifier,
    PersonName,
    Residence,
)
from tellonce.people.selectors import PersonQuery
from tellonce.voices.models import Consent, VoiceKind


class SourceSerializer(serializers.Serializer):
    """Where a fact came from."""

    agency = serializers.CharField(source="source_agency.name")
    system = serializers.CharField(source="source_system")
    received_on = serializers.DateTimeField()
    recorded_by = serializers.CharField(source="recorder_label")


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "phone", "email"]


class TeamSerializer(serializers.ModelSerializer):
    agency = AgencySerializer()

    class Meta:
        model = Team
        fields = ["id", "name", "service", "phone", "email", "out_of_hours", "agency"]


class PersonSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "given_name", "family_name", "date_of_birth"]


class NameSerializer(serializers.ModelSerializer):
    source = SourceSerializer(source="*")  # type: ignore[assignment]

    class Meta:
        model = PersonName
        fields = [
            "kind",
            "given_name",
            "middle_names",
            "family_name",
            "used_from",
            "used_until",
            "source",
        ]


class IdentifierSerializer(serializers.ModelSerializer):
    source = SourceSerializer(source="*")  # type: ignore[assignment]

    class Meta:
        model = PersonIdentifier
        fields = ["id", "scheme", "value", "source"]


class ResidenceSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="address.__str__")
    uprn = serializers.CharField(source="address.uprn", allow_null=True)
    postcode = serializers.CharField(source="address.postcode")
    source = SourceSerializer(source="*")  # type: ignore[assignment]

    class Meta:
        model = Residence
        fields = ["address", "uprn", "postcode", "moved_in", "moved_out", "source"]


class InvolvementSerializer(serializers.ModelSerializer):
    team = TeamSerializer()
    practitioner = serializers.CharField(
        source="practitioner.__str__", allow_null=True, default=None
    )

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
        ]


class FamilyMemberSerializer(serializers.Serializer):
    person = PersonSummarySerializer()
    relationship = serializers.CharField()
    household = serializers.BooleanField(help_text="Lives in the same household now")
    involvements = InvolvementSerializer(many=True, help_text="Who works with them now")


class PersonRecordSerializer(serializers.Serializer):
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


class FlagContactSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.name")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    phone = serializers.CharField()
    email = serializers.CharField()


class PersonFlagSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="person.id")
    given_name = serializers.CharField(source="person.given_name")
    family_name = serializers.CharField(source="person.family_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)
    is_known = serializers.BooleanField()
    contacts = FlagContactSerializer(many=True)


class SearchQuerySerializer(serializers.Serializer):
    given_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    date_of_birth = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="YYYY, YYYY-MM or YYYY-MM-DD",
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


class SearchHitSerializer(serializers.Serializer):
    person = PersonSummarySerializer()
    score = serializers.FloatField()
    matched_on = serializers.CharField()
    full_access = serializers.BooleanField(
        help_text="True: GET the record. False: only the flag (who to contact)."
    )


class BreakGlassRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class BreakGlassGrantSerializer(serializers.Serializer):
    person = serializers.UUIDField(source="person_id")
    reason = serializers.CharField()
    granted_on = serializers.DateTimeField()
    expires_on = serializers.DateTimeField()


class IdentifierCreateSerializer(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=IdentifierScheme.choices)
    value = serializers.CharField(max_length=40)


class ArchiveRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    team = serializers.CharField(source="actor.team.__str__", default=None)

    class Meta:
        model = AuditEvent
        fields = ["seq", "at", "actor", "team", "action", "channel", "ip_address", "reason"]


class AgencyRecordReceiveSerializer(serializers.Serializer):
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
            elif name == "lead_professional":
                fields[name] = serializers.BooleanField(required=False)
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


class ReportedInvolvementSerializer(serializers.ModelSerializer):
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


class RecordLinkageSerializer(serializers.Serializer):
    outcome = serializers.CharField(
        help_text=(
            "linked, new person, new person with a possible match waiting for review,"
            " already linked, or waiting for the first linkage run"
        )
    )
    person = serializers.UUIDField(allow_null=True, help_text="The TellOnce person")


class AgencyRecordSerializer(serializers.ModelSerializer):
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


class LinkageRecordSerializer(serializers.Serializer):
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


class ContributionSerializer(serializers.Serializer):
    comparison = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    weight = serializers.FloatField(help_text="log2 Bayes factor: positive is evidence for")


class ReviewPairSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    match_probability = serializers.FloatField()
    match_weight = serializers.FloatField()
    model_version = serializers.IntegerField(source="model.version")
    left = LinkageRecordSerializer()
    right = LinkageRecordSerializer()
    explanation = ContributionSerializer(many=True)


class ReviewDecisionRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["same", "not_same"])
    reason = serializers.CharField(allow_blank=True)


class ReviewDecisionSerializer(serializers.Serializer):
    decision = serializers.CharField()
    reason = serializers.CharField()
    decided_on = serializers.DateTimeField()


class UnmergeRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class MatchRequestSerializer(serializers.Serializer):
    """A person described by whatever the caller knows; checked as feed values are."""

    given_name = serializers.CharField(required=False)
    family_name = serializers.CharField(required=False)
    date_of_birth = serializers.CharField(required=False, help_text="YYYY-MM-DD")
    sex = serializers.CharField(required=False, help_text="F, M or U")
    postcode = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    uprn = serializers.CharField(required=False)
    nhs_number = serializers.CharField(required=False)
    upn = serializers.CharField(required=False)

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


class MatchContributionSerializer(serializers.Serializer):
    comparison = serializers.CharField(source="description")
    found = serializers.CharField(source="label")
    weight = serializers.FloatField(
        source="match_weight", help_text="log2 Bayes factor: positive is evidence for"
    )


class MatchCandidateSerializer(serializers.Serializer):
    person = PersonSummarySerializer()
    match_probability = serializers.FloatField()
    match_weight = serializers.FloatField()
    full_access = serializers.BooleanField(
        help_text="True: GET the record. False: only the flag (who to contact)."
    )
    explanation = MatchContributionSerializer(many=True, source="contributions")


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    team = serializers.CharField(source="team.name")
    agency = serializers.CharField(source="team.agency.name")
    practitioner = serializers.SerializerMethodField()
    person = serializers.UUIDField(source="person_id")
    delivered_on = serializers.DateTimeField()
    read_on = serializers.DateTimeField(allow_null=True)

    def get_practitioner(self, alert: Any) -> str | None:
        return alert.user.get_full_name() if alert.user else None


class InvolvementStartSerializer(serializers.Serializer):
    capacity = serializers.ChoiceField(choices=Capacity.choices)
    started_on = serializers.DateField()
    is_lead_professional = serializers.BooleanField(default=False)


class InvolvementEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class ChronologyEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    occurred_on = serializers.DateField()
    occurred_at = serializers.TimeField(allow_null=True)
    summary = serializers.CharField()
    unscheduled = serializers.BooleanField()
    agency = serializers.CharField(source="source_agency.name")
    system = serializers.CharField(source="source_system")
    recorded_by = serializers.CharField(source="recorder_label")
    external_ref = serializers.CharField()


class ChronologyEventCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[c for c in EventKind.choices if c[0] not in SYSTEM_KINDS]
    )
    occurred_on = serializers.DateField()
    occurred_at = serializers.TimeField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(max_length=2000)
    unscheduled = serializers.BooleanField(default=False)
    system = serializers.CharField(max_length=100, required=False, default="")
    external_ref = serializers.CharField(max_length=100, required=False, default="")


class ChronologyQuerySerializer(serializers.Serializer):
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


class VoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    speaker = serializers.CharField()
    words = serializers.CharField()
    said_on = serializers.DateField()
    consent = serializers.CharField()
    lawful_basis = serializers.CharField()
    agency = serializers.CharField(source="source_agency.name")
    recorded_by = serializers.CharField(source="recorder_label")


class VoiceCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=VoiceKind.choices)
    speaker = serializers.CharField(max_length=200)
    words = serializers.CharField()
    said_on = serializers.DateField()
    consent = serializers.ChoiceField(choices=Consent.choices)
    safeguarding_reason = serializers.CharField(required=False, default="", allow_blank=True)
    system = serializers.CharField(max_length=100, required=False, default="")
