"""Tell it once: the family's own account and the child's voice, recorded once and shown
to every practitioner with a legitimate relationship, so no agency asks again.

Each `Voice` records its lawful basis for sharing. With consent, it is shared. Without
it (refused, or not sought because asking would put the child at risk), it is shared
only on a stated safeguarding basis (Data Protection Act 2018, Schedule 8, paragraph 4:
safeguarding of children and individuals at risk), with the reason; otherwise only the
recording team sees it.
"""

from __future__ import annotations

from django.db import models

from tellonce.core.models import Archivable, Provenance, Timestamped


class VoiceKind(models.TextChoices):
    CHILD = "child", "The child's voice"
    FAMILY = "family", "The family's account"


class Consent(models.TextChoices):
    GIVEN = "given", "Consent given to share"
    REFUSED = "refused", "Consent refused"
    NOT_SOUGHT = "not_sought", "Consent not sought: asking would put the child at risk"


class Voice(Timestamped, Archivable, Provenance):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="voices")
    kind = models.CharField(max_length=10, choices=VoiceKind.choices)
    speaker = models.CharField(
        max_length=200, help_text="Who said it: the child, or e.g. 'Kerry Taylor, mother'"
    )
    words = models.TextField(help_text="What they said, wanted and felt, in their words")
    said_on = models.DateField()
    consent = models.CharField(max_length=12, choices=Consent.choices)
    safeguarding_reason = models.TextField(
        blank=True,
        help_text="Why it is shared without consent, to safeguard the child (DPA 2018)",
    )

    class Meta:
        ordering = ["-said_on", "-pk"]
        indexes = [models.Index(fields=["person", "said_on"], name="voice_person_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.said_on}"

    @property
    def is_shared(self) -> bool:
        return self.consent == Consent.GIVEN or bool(self.safeguarding_reason)

    @property
    def lawful_basis(self) -> str:
        if self.consent == Consent.GIVEN:
            return "Shared with consent"
        if self.safeguarding_reason:
            return (
                "Shared without consent to safeguard the child (Data Protection Act 2018,"
                f" Schedule 8, paragraph 4): {self.safeguarding_reason}"
            )
        return f"{self.get_consent_display()}: not shared beyond the recording team"
