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

from rest_framework import serializers

from tellonce.core.text import TextKind, TextProblemError, text_checked


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


class TextChecked(serializers.Serializer):
    """Checks the text fields of the body, after each field's own checks."""

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
