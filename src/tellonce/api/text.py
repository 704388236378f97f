"""Clean text in the API (`tellonce.core.text`): every serializer of every domain's API
is a `CheckedSerializer` (or `CheckedModelSerializer`), so every text field in a body
or a query is kept as clean text, or refused under its own name:
`{"field": "children[0].family_name", "message": "Family name must not contain a
right-to-left override or other bidirectional control"}`.

A text field is words (line breaks allowed, up to `WORDS_MAX` characters) where it has no
`max_length` of its own, as a model's `TextField` has none, or is marked as a text area
(`style={"base_template": "textarea.html"}`); it is one line otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core import validators
from rest_framework import serializers

from tellonce.core.text import TextKind, TextProblemError, text_checked, text_pattern


def api_field_kind(field: serializers.CharField) -> TextKind:
    if field.max_length is None or field.style.get("base_template") == "textarea.html":
        return TextKind.WORDS
    return TextKind.LINE


def checked_text(field: serializers.Field, value: Any) -> Any:
    """The value as kept, or a `ValidationError` saying what is wrong with it."""
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        kept: list[Any] = []
        errors: dict[int, Any] = {}
        for n, item in enumerate(value):
            try:
                kept.append(checked_text(field.child, item))
            except serializers.ValidationError as exc:
                errors[n] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)  # type: ignore[arg-type]
        return kept
    if not isinstance(field, serializers.CharField) or not isinstance(value, str):
        return value
    try:
        return text_checked(value, api_field_kind(field), max_length=field.max_length)
    except TextProblemError as problem:
        label = field.label or (field.field_name or "This field").replace("_", " ").capitalize()
        raise serializers.ValidationError(f"{label} {problem}") from None


class _StatedOnly:
    """A rule stated in the schema (drf-spectacular reads the validator) but checked by
    `TextChecked`, after the field's own checks, so that the refusal names the field
    and says what is wrong rather than "does not match the pattern"."""

    def __call__(self, value: Any) -> None:
        return None


class TextRuleStated(_StatedOnly, validators.RegexValidator):
    pass


class TextLengthStated(_StatedOnly, validators.MaxLengthValidator):
    pass


def text_rules_stated(field: serializers.Field) -> None:
    """Adds to a text field's schema the characters it refuses and, for words, their
    length limit."""
    if isinstance(field, serializers.ListField):
        text_rules_stated(field.child)
    if not isinstance(field, serializers.CharField) or isinstance(
        field, (serializers.ChoiceField, serializers.RegexField)
    ):
        return
    if any(isinstance(v, TextRuleStated) for v in field.validators):
        return
    kind = api_field_kind(field)
    stated: list[Any] = []
    if not any(isinstance(v, validators.RegexValidator) for v in field.validators):
        stated.append(TextRuleStated(text_pattern(kind)))
    if field.max_length is None:
        stated.append(TextLengthStated(kind.max_length))
    field.validators = [*field.validators, *stated]


class TextChecked(serializers.Serializer):
    """Checks the text fields of the body, after each field's own checks."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            text_rules_stated(field)
        return fields

    def to_internal_value(self, data: Any) -> Any:
        values = super().to_internal_value(data)
        errors: dict[str, Any] = {}
        for field in self._writable_fields:
            source = field.source_attrs
            if not source:
                continue
            holder = values
            for attr in source[:-1]:
                holder = holder.get(attr, {}) if isinstance(holder, Mapping) else {}
            if not isinstance(holder, dict) or source[-1] not in holder:
                continue
            try:
                holder[source[-1]] = checked_text(field, holder[source[-1]])
            except serializers.ValidationError as exc:
                errors[str(field.field_name)] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return values


class CheckedSerializer(TextChecked, serializers.Serializer):
    pass


class CheckedModelSerializer(TextChecked, serializers.ModelSerializer):
    pass
