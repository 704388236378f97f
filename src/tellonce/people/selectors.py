"""Reading people's own facts that every app shares: who lives with whom, and a person
with their identity left out (`unnamed`).

What a user may see of a person is `tellonce.access`'s to decide; the record page,
the flag and search are `tellonce.record`'s."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q

from tellonce.people.models import (
    Address,
    HouseholdMember,
    MultiOccupancyAddress,
    Person,
    Residence,
)


def household_of(person: Person, *, for_alerts: bool = False) -> list[Person]:
    """The other current members of every household the person lives in now, as the
    agencies say it. `for_alerts`: with the possible household too, where the evidence
    is as strong as `POSSIBLE_HOUSEHOLD_ALERTS` asks (decision 0010)."""
    households = HouseholdMember.objects.filter(person=person, left_on__isnull=True).values(
        "household"
    )
    members = (
        HouseholdMember.objects.filter(household__in=households, left_on__isnull=True)
        .exclude(person=person)
        .select_related("person")
    )
    found = {m.person_id: m.person for m in members}
    if for_alerts and settings.POSSIBLE_HOUSEHOLD_ALERTS != "none":
        strong = ("uprn",) if settings.POSSIBLE_HOUSEHOLD_ALERTS == "uprn" else ("uprn", "address")
        for mate in possible_household_of(person, besides=set(found)):
            if mate.basis in strong:
                found.setdefault(mate.person.pk, mate.person)
    return list(found.values())


# ----- possible households (decision 0010)

#: Words in an address that say unrelated people live there.
MULTI_OCCUPANCY_WORDS = re.compile(
    r"\b(hostel|refuge|hotel|b ?& ?b|bed and breakfast|hmo|foyer|ymca|night shelter|"
    r"supported (?:housing|accommodation|lodgings)|hall of residence|halls|care home|"
    r"children'?s home|residential home|nursing home|hospital|prison|barracks|"
    r"guest ?house|travellers'? site|caravan park)\b",
    re.IGNORECASE,
)
#: The line an address has when an agency gave only a postcode: never a shared home.
NO_LINE = "Address not recorded"
_NOT_WORDS = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Housemate:
    """Someone who shares a current address with the person though no agency says they
    live together: `basis` is "uprn" (the same property reference) or "address" (the
    same first line and postcode)."""

    person: Person
    basis: str


def address_key(line_1: str, postcode_norm: str) -> str:
    """An address's first line and postcode as two agencies' spellings of it agree:
    "Flat 3, Alder House" and "flat 3 alder house" are one."""
    return f"{_NOT_WORDS.sub(' ', line_1.casefold()).strip()}|{postcode_norm}"


def is_multi_occupancy(address: Address) -> bool:
    """Whether unrelated people live at the address: its words, or the partnership's
    list (`MultiOccupancyAddress`)."""
    if MULTI_OCCUPANCY_WORDS.search(f"{address.line_1} {address.line_2}"):
        return True
    listed = MultiOccupancyAddress.objects.filter(
        Q(line_key=address_key(address.line_1, address.postcode_norm))
        | (Q(uprn=address.uprn) if address.uprn else Q(pk__in=[]))
    )
    return listed.exists()


def possible_household_of(person: Person, *, besides: set[Any] | None = None) -> list[Housemate]:
    """The people who share a current address with the person and whom no agency puts
    in a household with them (nor `besides`): none at an address with no first line, at
    a multi-occupancy address, or where more than `POSSIBLE_HOUSEHOLD_AT_MOST` live."""
    homes = list(
        Residence.objects.filter(person=person, moved_out__isnull=True)
        .exclude(address__line_1=NO_LINE)
        .select_related("address")
    )
    if not homes:
        return []
    together = {m.pk for m in household_of(person)} | (besides or set()) | {person.pk}
    found: dict[Any, Housemate] = {}
    for home in homes:
        address = home.address
        if is_multi_occupancy(address):
            continue
        key = address_key(address.line_1, address.postcode_norm)
        # The addresses first (a postcode's few, by their first lines), then only their
        # residents: reading every resident of the postcode cost 30 ms a record.
        same = [
            (pk, uprn, line_1)
            for pk, uprn, line_1 in Address.objects.filter(
                Q(pk=address.pk)
                | (Q(uprn=address.uprn) if address.uprn else Q(pk__in=[]))
                | Q(postcode_norm=address.postcode_norm)
            ).values_list("pk", "uprn", "line_1")
            if pk == address.pk
            or (address.uprn and uprn == address.uprn)
            or (line_1 != NO_LINE and address_key(line_1, address.postcode_norm) == key)
        ]
        there = Residence.objects.filter(
            moved_out__isnull=True,
            person__archived_on__isnull=True,
            address__in=[pk for pk, _, _ in same],
        ).select_related("person", "address")
        residents: dict[Any, Housemate] = {}
        for residence in there:
            other = residence.address
            if address.uprn and other.uprn == address.uprn:
                basis = "uprn"
            elif other.pk == address.pk or (
                other.line_1 != NO_LINE and address_key(other.line_1, other.postcode_norm) == key
            ):
                basis = "uprn" if address.uprn and other.pk == address.pk else "address"
            else:
                continue
            current = residents.get(residence.person_id)
            if current is None or current.basis == "address":
                residents[residence.person_id] = Housemate(residence.person, basis)
        if len(residents) > settings.POSSIBLE_HOUSEHOLD_AT_MOST:
            continue
        for person_id, mate in residents.items():
            if person_id not in together and (
                person_id not in found or found[person_id].basis == "address"
            ):
                found[person_id] = mate
    return list(found.values())


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
