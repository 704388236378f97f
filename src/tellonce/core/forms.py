"""Form helpers shared by every app's views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form


def form_errors_from(form: Form, exc: ValidationError) -> None:
    """Show a service's validation errors on the form: on their field where the form has
    it, at the top otherwise."""
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
