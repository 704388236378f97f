"""Reading people's own facts that every app shares: who lives with whom, and a person
with their identity left out (`unnamed`).

What a user may see of a person is `tellonce.access`'s to decide; the record page,
the flag and search are `tellonce.record`'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tellonce.people.models import HouseholdMember, Person


def household_of(person: Person) -> list[Person]:
    """The other current members of every household the person lives in now."""
    households = HouseholdMember.objects.filter(person=person, left_on__isnull=True).values(
        "household"
    )
    members = (
        HouseholdMember.objects.filter(household__in=households, left_on__isnull=True)
        .exclude(person=person)
        .select_related("person")
    )
    return list({m.person_id: m.person for m in members}.values())


@dataclass(frozen=True)
class UnnamedPerson:
    """A person by their id alone, for whoever may know that someone is known but not
    who they are (an agency system asking about a record it did not send)."""

    id: Any
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None

    @property
    def pk(self) -> Any:
        return self.id


def unnamed(person: Person) -> UnnamedPerson:
    return UnnamedPerson(id=person.pk)
