"""The API's named string formats: what each identifier, code and time looks like, as a
regular expression the schema states (`pattern`) beside the format's name (`format`), so
that what the schema allows is what the validators accept.

A rule a pattern cannot state (an NHS number's check digit, a UPN's check letter) is in
the format's description; `api/tests/test_schemathesis.py` makes values that keep it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@dataclass(frozen=True)
class Format:
    pattern: str
    description: str


FORMATS: dict[str, Format] = {
    "nhs-number": Format(
        r"^[0-9]{3} ?[0-9]{3} ?[0-9]{4}$",
        "10 digits (spaces after the 3rd and 6th allowed), the last a modulus-11 check digit",
    ),
    "upn": Format(
        r"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$",
        "A unique pupil number: a check letter (modulo 23), 11 digits, a digit or letter",
    ),
    "local-reference": Format(
        r"^[A-Z0-9][A-Z0-9/\-]{2,19}$",
        "A police person reference or council case number: 3 to 20 capital letters,"
        " digits, slashes or hyphens",
    ),
    "uk-postcode": Format(
        r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$",
        "A UK postcode in capitals, the space optional (NB1 4QT)",
    ),
    "uprn": Format(r"^[0-9]{1,12}$", "A unique property reference number: up to 12 digits"),
    "partial-date": Format(
        r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
        "A date of birth as well as it is known: YYYY, YYYY-MM or YYYY-MM-DD",
    ),
    "time-of-day": Format(
        r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
        "A local time of day, HH:MM or HH:MM:SS, with no offset (OpenAPI's `time` needs one)",
    ),
}


@cache
def format_field(name: str, *, blank: bool = False) -> type[serializers.CharField]:
    """A CharField the schema shows as `format: name` with its pattern; with `blank`, the
    empty string is allowed too (a field that may be left empty)."""
    spec = FORMATS[name]
    pattern = f"^$|{spec.pattern}" if blank else spec.pattern

    @extend_schema_field(
        {"type": "string", "format": name, "pattern": pattern, "description": spec.description}
    )
    class FormatField(serializers.CharField):
        def __init__(self, **kwargs: Any) -> None:
            if blank:
                kwargs.setdefault("allow_blank", True)
            super().__init__(**kwargs)

    words = "".join(part.title() for part in name.split("-"))
    FormatField.__name__ = f"{words}OrBlankField" if blank else f"{words}Field"
    return FormatField


NhsNumberField = format_field("nhs-number")
UpnField = format_field("upn")
LocalReferenceField = format_field("local-reference")
UkPostcodeField = format_field("uk-postcode")
UprnField = format_field("uprn")


@extend_schema_field(
    {
        "type": "string",
        "format": "time-of-day",
        "pattern": FORMATS["time-of-day"].pattern,
        "description": FORMATS["time-of-day"].description,
    }
)
class TimeOfDayField(serializers.TimeField):
    """A time of day as the chronology keeps it: local, no offset."""


#: A record's field names that hold one of the named formats.
FIELD_FORMATS = {
    "nhs_number": NhsNumberField,
    "upn": UpnField,
    "police_ref": LocalReferenceField,
    "council_ref": LocalReferenceField,
    "postcode": UkPostcodeField,
    "uprn": UprnField,
}
