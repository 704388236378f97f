"""Finding a person for a user: the one helper every page, API view and selector calls
before it shows or changes anything about a person, and the access log.

- `person_get_for_user`: the person and the user's access (`policy`). Someone who may
  not know of the person at all (an analyst, an administrator, no role) gets a 404,
  and the refused look is audited when it came through a page or the API.
- `person_get_in_full`: the same, for what needs the record itself (the record page,
  the chronology, the voices); someone who may see only the flag gets `FlagOnlyError`,
  audited, and the pages send them to the flag.
- `access_log`: who looked at a person's record, for the managers of the teams
  involved (every look is in the audit log; this is its view of one person).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404

from tellonce.access.policy import Access, Level, access_for, can_see_access_log
from tellonce.audit.models import Action, AuditEvent
from tellonce.audit.services import Via, audit_via
from tellonce.people.models import Person

if TYPE_CHECKING:
    from tellonce.accounts.models import User


class FlagOnlyError(Exception):
    """The user may see only the flag for this person."""

    def __init__(self, person: Person) -> None:
        super().__init__("flag only")
        self.person = person


def _person_or_404(person_id: UUID | str) -> Person:
    try:
        # With its source, which the record page shows (one query fewer there).
        return Person.objects.select_related("source_agency").get(pk=person_id)
    except (Person.DoesNotExist, ValueError, ValidationError) as exc:
        # ValidationError: not a UUID at all (an id from a query string or a form).
        raise Http404("No such person") from exc


def person_get_for_user(
    *, user: User, person_id: UUID | str, via: Via | None = None
) -> tuple[Person, Access]:
    """The person and the user's access. Raises `Http404` where the user may not know
    of the person; the refused look is audited when it came through a page or the API
    (`via`). What is then done or shown is audited by whoever does or shows it."""
    person = _person_or_404(person_id)
    access = access_for(user, person)
    if access.level == Level.NONE:
        if via is not None:
            audit_via(
                via,
                user=user,
                action=Action.ACCESS_DENIED,
                person=person,
                detail={"reason": "no relationship and no casework role"},
            )
        raise Http404("No such person")
    return person, access


def person_get_in_full(
    *, user: User, person_id: UUID | str, via: Via, refused: str = "flag only"
) -> tuple[Person, Access]:
    """The person, for a user who may see their record in full. Raises `Http404` as
    `person_get_for_user` does, and `FlagOnlyError` (audited, with `refused` as the
    reason) where the user may see only the flag."""
    person, access = person_get_for_user(user=user, person_id=person_id, via=via)
    if not access.is_full:
        audit_via(
            via, user=user, action=Action.ACCESS_DENIED, person=person, detail={"reason": refused}
        )
        raise FlagOnlyError(person)
    return person, access


def access_log(
    *, user: User, person_id: UUID | str, via: Via
) -> tuple[Person, QuerySet[AuditEvent]]:
    """Who looked at this person's record: for managers of the teams involved."""
    person, _ = person_get_for_user(user=user, person_id=person_id, via=via)
    if not can_see_access_log(user, person):
        raise PermissionDenied("Only managers of the teams involved can see who looked")
    audit_via(via, user=user, action=Action.VIEW, person=person, detail={"page": "access log"})
    events = AuditEvent.objects.filter(person=person).select_related("actor__team__agency")
    return person, events.order_by("-seq")
