from __future__ import annotations

from django import forms

from tellonce.core.forms import DateForm
from tellonce.voices.models import Consent, VoiceKind

WHOSE = "Choose whether this is the child's voice or the family's account"


class VoiceForm(DateForm):
    date_label = "Date they said it"
    date_after = "speaker"

    kind = forms.ChoiceField(
        label="Whose words are these?",
        choices=[("", "Choose one"), *VoiceKind.choices],
        error_messages={
            "required": "Choose whether this is the child's voice or the family's account"
        },
    )
    speaker = forms.CharField(
        label="Who said it",
        help_text="For example: Jack; or Kerry Taylor, his mother",
        max_length=200,
        error_messages={"required": "Say who said it"},
    )
    words = forms.CharField(
        label="What they said, want and feel, in their words",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write what they said, in their words"},
    )
    consent = forms.ChoiceField(
        label="Did they consent to this being shared with the others working with them?",
        choices=[("", "Choose one"), *Consent.choices],
        error_messages={"required": "Say whether they consented to this being shared"},
    )
    safeguarding_reason = forms.CharField(
        label="If shared without consent: how does sharing safeguard the child?",
        help_text=(
            "Only without consent. The Data Protection Act 2018 allows sharing without"
            " consent to safeguard a child. Leave empty to keep it within your team."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
