from __future__ import annotations

from django import forms

from tellonce.core.forms import CheckedForm


class BreakGlassForm(CheckedForm):
    reason = forms.CharField(
        label="Why do you need to see this record?",
        help_text=(
            "Your reason, your name and the time are recorded and shown to the managers of"
            " every team working with this person"
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why you need to see this record"},
    )
