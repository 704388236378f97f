"""Need-to-know: the one place that decides what a user may see of a person.

- FULL: the user's team is involved with the person (an active involvement that
  counts: from the agency's own system, TellOnce's own work, or confirmed by someone
  accountable), or the person is in the work of the MASH the user works in, or the
  user holds a break-glass grant in force. A system account has FULL where any team of
  its agency is involved.
- FLAG: any other user who does casework: that the person is known, which agencies
  are involved and how to contact them. Never more.
- NONE: partnership analysts and administrators (aggregates or administration only),
  anyone with no role at all, and anyone not signed in.

One exception, on purpose: reviewing possible matches (`tellonce.linkage.review`)
shows MASH social workers and managers both agency records of a pair in full, whoever
the person is, because deciding whether two records are one child needs them; every
such look is audited.

A change to a person's record (an identifier, a chronology event, a voice) needs more:
the user's team (or, for a system account, agency) must work with the person now
(`require_change`); break-glass lets you read, never change.

Pages, the API and exports all ask here, through the selectors that take the user:
`tellonce.access.selectors.person_get_for_user` for a person, and each app's
`<thing>_get_for_user` for its own records. Why the model is what it is: decision 0007.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from tellonce.access.models import BreakGlassGrant
from tellonce.involvements.models import Capacity, Involvement
from tellonce.people.models import Person

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.organisations.models import Team


class Level(enum.IntEnum):
    NONE = 0
    FLAG = 1
    FULL = 2


class Basis(enum.StrEnum):
    NONE = ""
    FLAG = "flag"
    INVOLVED = "involved"
    AGENCY_INVOLVED = "agency_involved"
    MASH = "mash"
    BREAK_GLASS = "break_glass"


@dataclass(frozen=True)
class Access:
    level: Level
    basis: Basis
    #: Break-glass access lets you read, not change.
    can_change: bool = False

    @property
    def is_full(self) -> bool:
        return self.level == Level.FULL

    @property
    def explanation(self) -> str:
        return {
            Basis.INVOLVED: "Your team is working with this person.",
            Basis.AGENCY_INVOLVED: "Your agency is working with this person.",
            Basis.MASH: "This person is in your MASH's work.",
            Basis.BREAK_GLASS: "You broke the glass: your access is logged and time-limited.",
            Basis.FLAG: "You can see who to contact, not the record.",
            Basis.NONE: "",
        }[self.basis]


NO_ACCESS = Access(Level.NONE, Basis.NONE)
FLAG_ONLY = Access(Level.FLAG, Basis.FLAG)


def involvements_giving_access(user: User) -> QuerySet[Involvement]:
    """The active involvements through which `user` sees people in full: not one a
    practitioner recorded that nobody has confirmed yet."""
    active = Involvement.objects.active().counting()
    if user.is_system_account:
        if user.agency_id is None:
            return active.none()
        return active.filter(team__agency_id=user.agency_id)
    if user.team_id is None:
        return active.none()
    through = Q(team_id=user.team_id)
    hub = user.team.hub if user.team else None
    if user.works_in_mash and hub is not None:
        through |= Q(team_id=hub.pk, capacity=Capacity.MASH_ENQUIRY)
    return active.filter(through)


def full_access_filter(user: User, person_ref: str = "pk") -> Q:
    """A filter on Person (or anything with a person) for the records `user` sees in
    full: used to list "my work" and to mark search results in one query."""
    if not user.is_authenticated or not user.does_casework:
        return Q(pk__in=[])
    involved = involvements_giving_access(user).filter(person_id=OuterRef(person_ref))
    condition = Q(Exists(involved))
    if not user.is_system_account:
        grants = BreakGlassGrant.objects.in_force().filter(
            user=user, person_id=OuterRef(person_ref)
        )
        condition |= Q(Exists(grants))
    return condition


def access_for(user: User, person: Person) -> Access:
    if not user.is_authenticated or not user.does_casework:
        return NO_ACCESS
    involvements = involvements_giving_access(user).filter(person=person)
    if user.is_system_account:
        if involvements.exists():
            return Access(Level.FULL, Basis.AGENCY_INVOLVED, can_change=True)
        return FLAG_ONLY
    capacities = set(involvements.values_list("team_id", "capacity"))
    if any(team_id == user.team_id for team_id, _ in capacities):
        return Access(Level.FULL, Basis.INVOLVED, can_change=True)
    if capacities:
        return Access(Level.FULL, Basis.MASH, can_change=True)
    if BreakGlassGrant.objects.in_force().filter(user=user, person=person).exists():
        return Access(Level.FULL, Basis.BREAK_GLASS, can_change=False)
    return FLAG_ONLY


def may_learn_who(user: User, access: Access) -> bool:
    """Whether the user may be told who a person is (names, date of birth) along with
    the flag: every practitioner who does casework may; an agency system only where its
    agency works with the person, so that a system cannot learn from TellOnce who a
    child is (it searches nothing, and a match or a flag names no one it did not send)."""
    return access.is_full or not user.is_system_account


def can_see_access_log(user: User, person: Person, access: Access | None = None) -> bool:
    """Managers see who looked at the records of the people their team works with.
    `access` is the user's access to the person where the caller has just decided it."""
    if not user.is_authenticated or user.is_system_account or not user.is_case_manager:
        return False
    if access is None:
        access = access_for(user, person)
    return access.is_full and access.basis in (Basis.INVOLVED, Basis.MASH)


def visible_in_full(*, user: User, person_ids: Sequence[Any]) -> set[Any]:
    """Which of these persons `user` may open in full: marks search and match results."""
    return set(
        Person.objects.filter(pk__in=person_ids)
        .filter(full_access_filter(user))
        .values_list("pk", flat=True)
    )


def require_change(user: User, person: Person) -> Team:
    """The team a change to `person`'s record is sourced to; refused unless the user's
    team (or agency, for a system account) works with the person now."""
    access = access_for(user, person)
    if not access.can_change:
        raise PermissionDenied("You can change this record only while your team is involved")
    if user.team is None:
        raise PermissionDenied("Your account is not in a team, so changes cannot be sourced")
    return user.team
