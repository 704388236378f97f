"""A person's own facts as the API shows them, each with where it came from."""

from __future__ import annotations

from rest_framework import serializers

from tellonce.api.serializers import SourceSerializer
from tellonce.api.text import CheckedModelSerializer
from tellonce.people.models import Person, PersonIdentifier, PersonName, Residence


class PersonSummarySerializer(CheckedModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "given_name", "family_name", "date_of_birth"]


class NameSerializer(CheckedModelSerializer):
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


class IdentifierSerializer(CheckedModelSerializer):
    source = SourceSerializer(source="*")  # type: ignore[assignment]

    class Meta:
        model = PersonIdentifier
        fields = ["id", "scheme", "value", "source"]


class ResidenceSerializer(CheckedModelSerializer):
    address: serializers.Field = serializers.StringRelatedField()
    uprn = serializers.CharField(source="address.uprn", allow_null=True)
    postcode = serializers.CharField(source="address.postcode")
    source = SourceSerializer(source="*")  # type: ignore[assignment]

    class Meta:
        model = Residence
        fields = ["address", "uprn", "postcode", "moved_in", "moved_out", "source"]
