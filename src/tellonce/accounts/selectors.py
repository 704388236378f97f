"""Reading who works where: who a team's late or missed deadlines go to."""

from __future__ import annotations

from tellonce.accounts.models import User
from tellonce.organisations.models import Team


def managers_of(team: Team) -> list[User]:
    """Who a late or missed deadline in a team goes to: the team's managers; else its
    agency's; else nobody (the caller then tells the team itself). People only, each
    in a team."""
    people = User.objects.filter(is_manager=True, is_active=True, is_system_account=False)
    managers = list(people.filter(team=team).select_related("team"))
    if not managers:
        managers = list(people.filter(team__agency=team.agency_id).select_related("team"))
    return [m for m in managers if m.team is not None]
