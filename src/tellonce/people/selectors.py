"""Reading people's own facts that every app shares: who lives with whom.

What a user may see of a person is `tellonce.access`'s to decide; the record page,
the flag and search are `tellonce.record`'s."""

from __future__ import annotations

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
