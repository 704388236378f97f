"""Changing a person's record from the record page or the API: identifiers recorded
(validated for their scheme) or archived as wrong, never deleted. Every change needs the
user's team to work with the person now (`tellonce.access.policy.require_change`),
keeps provenance and is audited in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tellonce.access.policy import require_change
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.people import identifiers
from tellonce.people.models import IdentifierScheme, Person, PersonIdentifier

if TYPE_CHECKING:
    from tellonce.accounts.models import User


def identifier_add(
    *, user: User, person: Person, scheme: str, value: str, via: Via
) -> PersonIdentifier:
    """Record an identifier, validated for its scheme, sourced to the user's agency."""
    require_change(user, person)
    if scheme not in IdentifierScheme.values:
        raise ValidationError({"scheme": "Choose the type of identifier"})
    try:
        normalised = identifiers.normalise(scheme, value)
    except identifiers.InvalidIdentifierError as exc:
        raise ValidationError({"value": str(exc)}) from exc
    if person.identifiers.filter(scheme=scheme, value=normalised).exists():
        raise ValidationError({"value": "This person already has that identifier"})
    assert user.team is not None
    with transaction.atomic():
        identifier = PersonIdentifier.objects.create(
            person=person,
            scheme=scheme,
            value=normalised,
            source_agency=user.team.agency,
            source_system=TELLONCE_SYSTEM,
            recorded_by=user,
            created_by=user,
        )
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=person,
            obj=identifier,
            detail={"change": "identifier added", "scheme": scheme},
        )
    return identifier


def identifier_archive(
    *, user: User, identifier: PersonIdentifier, reason: str, via: Via
) -> PersonIdentifier:
    """Take an identifier out of use (wrong, or belongs to someone else), with a reason."""
    require_change(user, identifier.person)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": "Enter why this identifier is wrong"})
    with transaction.atomic():
        identifier.archived_on = timezone.now()
        identifier.archived_by = user
        identifier.archive_reason = reason
        identifier.modified_by = user
        identifier.save(
            update_fields=[
                "archived_on",
                "archived_by",
                "archive_reason",
                "modified_by",
                "modified_on",
            ]
        )
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=identifier.person,
            obj=identifier,
            reason=reason,
            detail={"change": "identifier archived", "scheme": identifier.scheme},
        )
    return identifier
