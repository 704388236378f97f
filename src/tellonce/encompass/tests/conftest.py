"""Oakfield Primary signed up to Operation Encompass, with the borough's term dates
and a head (Hazel); Birchwood Academy, not signed up, where Ruby goes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tellonce.accounts.models import User
from tellonce.encompass.calendar import borough_calendar_ensure
from tellonce.encompass.services import school_sign_up
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.organisations.models import Agency, AgencyKind, Service, Team
from tellonce.testing.world import World, practitioner_make


@dataclass
class Encompass:
    hazel: User
    birchwood: Agency
    birchwood_dsl: Team


@pytest.fixture
def encompass(world: World) -> Encompass:
    return encompass_set_up(world)


@pytest.fixture
def committed_encompass(committed_world: World) -> Encompass:
    return encompass_set_up(committed_world)


def encompass_set_up(world: World) -> Encompass:
    borough_calendar_ensure()
    school_sign_up(school=world.school)
    office = Team.objects.create(
        agency=world.school, name="Headteacher's office", service=Service.SCHOOL_SAFEGUARDING
    )
    hazel = practitioner_make("hazel", "Hazel", "Moss", office, is_manager=True)
    birchwood = Agency.objects.create(
        name="Birchwood Academy", kind=AgencyKind.SCHOOL, code="100002"
    )
    birchwood_dsl = Team.objects.create(
        agency=birchwood, name="Designated safeguarding lead", service=Service.SCHOOL_SAFEGUARDING
    )
    Involvement.objects.create(
        confirmation=Confirmation.SYSTEM_OF_RECORD,
        person=world.ruby,
        team=birchwood_dsl,
        capacity=Capacity.SCHOOL,
        source_agency=birchwood,
        source_system="SIMS",
    )
    return Encompass(hazel=hazel, birchwood=birchwood, birchwood_dsl=birchwood_dsl)
