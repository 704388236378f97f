from __future__ import annotations

from django import forms

from tellonce.core.forms import CheckedForm
from tellonce.linkage.models import Decision


class ReviewForm(CheckedForm):
    decision = forms.ChoiceField(
        label="Are these the same person?",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether these are the same person"},
    )
    reason = forms.CharField(
        label="How did you decide?",
        help_text="For example: checked the NHS number with the GP practice",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how you decided"},
    )


class UnmergeForm(CheckedForm):
    reason = forms.CharField(
        label="Why was this merge wrong?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why this merge was wrong"},
    )
