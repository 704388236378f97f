"""Changing what the partnership knows about a person. Every change checks access,
keeps provenance, is audited in the same transaction, and archives rather than deletes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tellonce.access.policy import access_for
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.people import identifiers
from tellonce.people.models import IdentifierScheme, Person, PersonIdentifier, Sex

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.organisations.models import Team


def require_change(user: User, person: Person) -> Team:
    """The team a change to `person`'s record is sourced to; refused unless the user's
    team (or agency, for a system account) works with the person now."""
    access = access_for(user, person)
    if not access.can_change:
        raise PermissionDenied("You can change this record only while your team is involved")
    if user.team is None:
        raise PermissionDenied("Your account is not in a team, so changes cannot be sourced")
    return user.team


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


def child_details_problems(
    child: Any, prefix: str, *, today: date, oldest_years: int, too_old: str, no_birth: str
) -> dict[str, str]:
    """The problems with a child given by their details (a contact to the MASH, a
    police incident): names, date of birth, sex, and an NHS number, which is checked
    and normalised in place. `prefix` names the fields ("children-0-")."""
    problems: dict[str, str] = {}
    if not child.given_name.strip():
        problems[prefix + "given_name"] = "Enter the child's first name"
    if not child.family_name.strip():
        problems[prefix + "family_name"] = "Enter the child's last name"
    if child.date_of_birth is None:
        problems[prefix + "date_of_birth"] = no_birth
    elif child.date_of_birth > today:
        problems[prefix + "date_of_birth"] = "The child's date of birth must be in the past"
    elif child.date_of_birth < today - timedelta(days=round(oldest_years * 365.25)):
        problems[prefix + "date_of_birth"] = too_old
    if child.sex and child.sex not in Sex.values:
        problems[prefix + "sex"] = "Choose the child's sex, or leave it blank"
    if child.nhs_number:
        try:
            child.nhs_number = identifiers.normalise(IdentifierScheme.NHS_NUMBER, child.nhs_number)
        except identifiers.InvalidIdentifierError as exc:
            problems[prefix + "nhs_number"] = str(exc)
    return problems
