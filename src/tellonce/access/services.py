"""Breaking the glass: opening a record without a relationship, for a stated reason
that a manager can check (`reason_problem`), read-only for `BREAK_GLASS_HOURS`, audited,
and told at once to the managers of every team working with the child."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tellonce.access.models import BreakGlassGrant
from tellonce.access.policy import Level, access_for
from tellonce.accounts.selectors import managers_of
from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import alerts_write
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.involvements.models import Involvement

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.people.models import Person

MINIMUM_REASON_LENGTH = 20
MINIMUM_REASON_WORDS = 4


def reason_problem(reason: str) -> str:
    """Why a break-glass reason says too little for a manager to judge it, or nothing:
    at least 20 characters and four different words, not one character over and over."""
    if not reason:
        return "Enter why you need to see this record"
    letters = [c for c in reason.casefold() if not c.isspace()]
    words = {w for w in re.findall(r"[^\W\d_]{2,}", reason.casefold())}
    most = max((letters.count(c) for c in set(letters)), default=0)
    if (
        len(reason) < MINIMUM_REASON_LENGTH
        or len(words) < MINIMUM_REASON_WORDS
        or most > 0.4 * len(letters)
    ):
        return (
            "Say why you need to see this record, in words a manager can check: at least"
            f" {MINIMUM_REASON_LENGTH} characters and {MINIMUM_REASON_WORDS} different words"
        )
    return ""


def _managers_told(grant: BreakGlassGrant) -> None:
    """The managers of every team working with the child hear of it at once."""
    person, user = grant.person, grant.user
    teams = {
        i.team_id: i.team
        for i in Involvement.objects.current()
        .counting()
        .filter(person=person)
        .select_related("team__agency")
    }
    managers: dict[int, User] = {}
    for team in teams.values():
        for manager in managers_of(team):
            managers.setdefault(manager.pk, manager)
    managers.pop(user.pk, None)
    expires = timezone.localtime(grant.expires_on)
    alerts_write(
        [
            Alert(
                kind=AlertKind.BREAK_GLASS,
                key=f"break-glass:{grant.pk}:{manager.pk}",
                team=manager.team,
                user=manager,
                person=person,
                title=f"{user.get_full_name()} broke the glass on {person.full_name}",
                body=(
                    f"{user.get_full_name()} ({user.team.name if user.team else 'no team'})"
                    f" opened {person.name_and_birth}'s record without a relationship, until"
                    f" {expires:%-d %B %Y, %H:%M}.\nWhy: {grant.reason}\n"
                    "You are told because your team works with the child: if the reason does"
                    " not hold, raise it with them or their manager."
                ),
            )
            for manager in managers.values()
            if manager.team is not None
        ]
    )


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
    problem = reason_problem(reason)
    if problem:
        raise ValidationError({"reason": problem})
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=user,
            person=person,
            reason=reason,
            granted_on=now,
            expires_on=now + timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        _managers_told(grant)
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
