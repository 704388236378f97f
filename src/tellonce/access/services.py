"""Breaking the glass: opening a record without a relationship, for a stated reason."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tellonce.access.models import BreakGlassGrant
from tellonce.access.policy import Level, access_for
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.people.models import Person

MINIMUM_REASON_LENGTH = 20


def break_glass_open(*, user: User, person: Person, reason: str, via: Via) -> BreakGlassGrant:
    """Grant `user` read access to `person` for `BREAK_GLASS_HOURS`, audited, and visible
    to the managers of every team involved with the person."""
    if user.is_system_account:
        raise PermissionDenied("Only a named practitioner can break the glass")
    access = access_for(user, person)
    if access.level == Level.NONE:
        raise PermissionDenied("Your role does not include looking at people's records")
    if access.is_full:
        raise ValidationError(
            {"person": "You can already see this record: there is no glass to break"}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why you need to see this record"})
    if len(reason) < MINIMUM_REASON_LENGTH:
        raise ValidationError(
            {
                "reason": (
                    f"Give enough detail for a manager to understand why: at least"
                    f" {MINIMUM_REASON_LENGTH} characters"
                )
            }
        )
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=user,
            person=person,
            reason=reason,
            granted_on=now,
            expires_on=now + timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        audit_via(
            via,
            user=user,
            action=Action.BREAK_GLASS,
            person=person,
            obj=grant,
            reason=reason,
            detail={"expires_on": grant.expires_on.isoformat()},
        )
    return grant
