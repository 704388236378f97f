"""Where no agency says who lives together, people who share a current address are a
possible household (decision 0010): shown as such on the child's page, followed by
alerts only on evidence as strong as the partnership's setting, and never at a hostel,
a refuge or another address the partnership lists."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from tellonce.alerts.models import Alert, AlertKind
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.involvements.models import Capacity, Confirmation
from tellonce.involvements.services import involvement_start
from tellonce.people.models import Address, MultiOccupancyAddress, Person, Residence
from tellonce.people.selectors import household_of, possible_household_of

pytestmark = pytest.mark.django_db


def _living_at(world, address: Address, given: str) -> Person:
    person = Person.objects.create(
        given_name=given,
        family_name="Marsh",
        date_of_birth=date(1990, 1, 9),
        source_agency=world.council,
        source_system="Mosaic",
    )
    Residence.objects.create(
        person=person, address=address, source_agency=world.health, source_system="SystmOne"
    )
    return person


def _early_help_with(world, person: Person):
    return involvement_start(
        person=person,
        team=world.early_help,
        capacity=Capacity.EARLY_HELP,
        started_on=date(2026, 5, 1),
        source_agency=world.council,
        source_system=TELLONCE_SYSTEM,
        confirmation=Confirmation.CONFIRMED,
    )


def _home(world) -> Address:
    return world.jack.residences.get().address


def test_a_lodger_at_the_same_property_is_a_possible_household_and_alerts_follow(world, signed_in):
    lodger = _living_at(world, _home(world), "Tyler")

    (mate,) = [m for m in possible_household_of(world.jack) if m.person == lodger]
    assert mate.basis == "uprn"
    # Kerry and Lily, whom the council puts in Jack's household, are not "possible".
    assert {m.person for m in possible_household_of(world.jack)} == {lodger}
    assert lodger not in household_of(world.jack)
    assert lodger in household_of(world.jack, for_alerts=True)
    page = signed_in(world.dana).get(f"/people/{world.jack.pk}/").content.decode()
    assert "Tyler Marsh" in page and "May live with them: the same property (UPRN)" in page
    assert "Possibly" in page

    _early_help_with(world, lodger)
    told = Alert.objects.filter(kind=AlertKind.NOW_INVOLVED, person=lodger)
    assert world.oakfield_dsl.pk in {a.team_id for a in told}


def test_the_same_address_spelt_another_way_alerts_only_when_the_partnership_says(world):
    home = _home(world)
    spelt = Address.objects.create(line_1="flat 3 alder house", town="", postcode="nb1 4qt")
    neighbour = _living_at(world, spelt, "Robin")
    (mate,) = possible_household_of(world.jack)
    assert (mate.person, mate.basis) == (neighbour, "address")
    assert home.uprn and not spelt.uprn

    _early_help_with(world, neighbour)
    assert not Alert.objects.filter(team=world.oakfield_dsl, person=neighbour).exists()
    with override_settings(POSSIBLE_HOUSEHOLD_ALERTS="address"):
        assert neighbour in household_of(world.jack, for_alerts=True)
    with override_settings(POSSIBLE_HOUSEHOLD_ALERTS="none"):
        assert neighbour not in household_of(world.jack, for_alerts=True)


def test_a_hostel_a_listed_address_a_bare_postcode_or_a_crowd_is_never_a_household(world):
    hostel = Address.objects.create(line_1="Room 4, Riverside Hostel", town="", postcode="NB2 1AA")
    a, b = _living_at(world, hostel, "Ash"), _living_at(world, hostel, "Bea")
    assert possible_household_of(a) == [] and b not in household_of(a, for_alerts=True)

    refuge = Address.objects.create(line_1="12 Hill Road", town="", postcode="NB2 2BB")
    c, d = _living_at(world, refuge, "Cal"), _living_at(world, refuge, "Dee")
    assert [m.person for m in possible_household_of(c)] == [d]
    MultiOccupancyAddress.objects.create(
        line_key="12 hill road|NB22BB", description="A refuge the partnership knows"
    )
    assert possible_household_of(c) == []

    bare = Address.objects.create(line_1="Address not recorded", town="", postcode="NB3 3CC")
    e, _ = _living_at(world, bare, "Eli"), _living_at(world, bare, "Fay")
    assert possible_household_of(e) == []

    block = Address.objects.create(line_1="1 Long Street", town="", postcode="NB4 4DD")
    crowd = [_living_at(world, block, f"Person{n}") for n in range(9)]
    with override_settings(POSSIBLE_HOUSEHOLD_AT_MOST=8):
        assert possible_household_of(crowd[0]) == []
