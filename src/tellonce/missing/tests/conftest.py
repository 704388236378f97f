"""The missing-children story's extra people, built on the test world: Eddie on the
council's emergency duty team; Jack in care with Cara, his social worker in the
children in care team; Rita, of the independent return home interview team, and Rob,
its manager; Sergeant Sue, the police MASH desk's supervisor."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tellonce.accounts.models import User
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.organisations.models import Role, Service, Team
from tellonce.testing.world import World, practitioner_make


@dataclass
class Missing:
    edt: Team
    in_care: Team
    interviews: Team
    eddie: User
    cara: User
    rita: User
    rob: User
    sue: User
    care: Involvement


@pytest.fixture
def missing(world: World) -> Missing:
    return missing_people(world)


@pytest.fixture
def committed_missing(committed_world: World) -> Missing:
    return missing_people(committed_world)


def missing_people(world: World) -> Missing:
    council = world.council

    def team(name: str, service: str) -> Team:
        return Team.objects.create(
            agency=council,
            name=name,
            service=service,
            phone="020 7946 2" + str(Team.objects.count()).zfill(3),
            email=name.lower().replace(" ", "-") + "@northbrook.example",
        )

    edt = team("Emergency duty team", Service.EMERGENCY_DUTY)
    in_care = team("Children in care team", Service.CHILDREN_IN_CARE)
    interviews = team("Return home interview service", Service.RETURN_INTERVIEWS)
    eddie = practitioner_make("eddie", "Eddie", "Moss", edt, Role.PRACTITIONER)
    cara = practitioner_make("cara", "Cara", "Bell", in_care, Role.PRACTITIONER)
    rita = practitioner_make("rita", "Rita", "Young", interviews, Role.PRACTITIONER)
    rob = practitioner_make("rob", "Rob", "Hale", interviews, Role.PRACTITIONER, is_manager=True)
    sue = practitioner_make(
        "sue", "Sue", "Grant", world.police_mash, Role.POLICE_MASH_OFFICER, is_manager=True
    )
    care = Involvement.objects.create(
        confirmation=Confirmation.SYSTEM_OF_RECORD,
        person=world.jack,
        team=in_care,
        practitioner=cara,
        capacity=Capacity.LOOKED_AFTER,
        source_agency=council,
        source_system="Mosaic",
    )
    return Missing(edt, in_care, interviews, eddie, cara, rita, rob, sue, care)
