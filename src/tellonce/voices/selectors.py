"""Who hears the family's account and the child's voice: everyone who may see the child's
record in full, where it is shared; the recording team, always."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from tellonce.access.policy import Access, access_for
from tellonce.voices.models import Consent, Voice

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.people.models import Person


def voices_for(*, user: User, person: Person, access: Access | None = None) -> list[Voice]:
    """The accounts the user may read (the caller has audited the look at the record).
    `access` is the user's access to the person where the caller has just decided it
    (the record page), so that it is not asked of the database twice."""
    if access is None:
        access = access_for(user, person)
    if not access.is_full or user.team is None:
        return []
    shared = Q(consent=Consent.GIVEN) | ~Q(safeguarding_reason="")
    own = (
        Q(source_agency=user.team.agency)
        if user.is_system_account
        else Q(recorded_by__team=user.team)
    )
    return list(
        Voice.objects.filter(Q(person=person) & (shared | own)).select_related(
            "source_agency", "recorded_by__team"
        )
    )
