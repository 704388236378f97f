"""What CP-IS shows: to a health practitioner, a child's protection plan or care
status and their social worker's contact (see `services`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tellonce.cpis.services import cp_is_involvements

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.involvements.models import Involvement
    from tellonce.people.models import Person

#: Agencies that give unscheduled care, to whom CP-IS shows its flag.
HEALTH_AGENCIES = ("nhs_trust", "gp_practice", "icb")


def cp_is_flag(*, user: User, person: Person) -> list[Involvement]:
    """For a health practitioner: the child's protection plan or care status and their
    social worker's contact (CP-IS). Empty for everyone else, and for children with
    neither."""
    team = user.team
    if team is None or team.agency.kind not in HEALTH_AGENCIES:
        return []
    return cp_is_involvements(person)
