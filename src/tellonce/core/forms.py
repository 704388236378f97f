"""Form helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.forms import Form


def form_errors_from(
    form: Form, exc: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's validation errors on the form: on their field where the form has
    it (or on the form field `fields` names for it), at the top otherwise."""
    for field, errors in exc.message_dict.items():
        target = (fields or {}).get(field, field)
        for error in errors:
            form.add_error(target if target in form.fields else None, error)
