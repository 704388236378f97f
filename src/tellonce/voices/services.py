"""Recording the family's account or the child's voice, once, with the lawful basis for
sharing it; checked, sourced to the recorder, audited."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from tellonce.access.policy import require_change
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.core.dates import date_problem
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.core.text import TextKind, text_problem
from tellonce.voices.models import Consent, Voice, VoiceKind

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.people.models import Person


def voice_record(
    *,
    user: User,
    person: Person,
    kind: str,
    speaker: str,
    words: str,
    said_on: date,
    consent: str,
    safeguarding_reason: str = "",
    system: str = "",
    via: Via,
) -> Voice:
    team = require_change(user, person)
    speaker, words = (speaker or "").strip(), (words or "").strip()
    reason = (safeguarding_reason or "").strip()
    problems: dict[str, str] = {}
    if kind not in VoiceKind.values:
        problems["kind"] = "Choose whether this is the child's voice or the family's account"
    if not speaker:
        problems["speaker"] = "Say who said it"
    if len(words) < 10:
        problems["words"] = "Write what they said, in their words"
    elif wrong := text_problem(words, TextKind.WORDS):
        problems["words"] = f"What they said {wrong}"
    if when := date_problem(said_on, born=person.date_of_birth):
        problems["said_on"] = f"The date they said it {when}"
    if consent not in Consent.values:
        problems["consent"] = "Say whether they consented to this being shared"
    elif consent == Consent.GIVEN and reason:
        problems["safeguarding_reason"] = (
            "They consented: a reason to share without consent is not needed"
        )
    elif consent != Consent.GIVEN and reason and len(reason) < 20:
        problems["safeguarding_reason"] = (
            "Say how sharing without consent safeguards the child, in a sentence or more"
        )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        voice = Voice.objects.create(
            person=person,
            kind=kind,
            speaker=speaker,
            words=words,
            said_on=said_on,
            consent=consent,
            safeguarding_reason=reason,
            source_agency=team.agency,
            source_system=(system or "").strip() or TELLONCE_SYSTEM,
            recorded_by=None if user.is_system_account else user,
            recorded_by_name=(system or "").strip() if user.is_system_account else "",
            created_by=user,
        )
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=person,
            obj=voice,
            detail={"change": "voice recorded", "kind": kind, "shared": voice.is_shared},
        )
    return voice
