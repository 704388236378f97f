"""Reading the partnership's directory of teams: contact details, open to every user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tellonce.organisations.models import Team

if TYPE_CHECKING:
    from tellonce.accounts.models import User


def team_directory(*, user: User, service: str | None = None) -> QuerySet[Team]:
    """Every team and how to reach it. Not personal data: any signed-in user may read it."""
    teams = Team.objects.select_related("agency").order_by("agency__name", "name")
    return teams.filter(service=service) if service else teams


def managers_of(team: Team) -> list[User]:
    """Who a late or missed deadline in a team goes to: the team's managers; else its
    agency's; else nobody (the caller then tells the team itself). People only, each
    in a team."""
    from tellonce.accounts.models import User

    people = User.objects.filter(is_manager=True, is_active=True, is_system_account=False)
    managers = list(people.filter(team=team).select_related("team"))
    if not managers:
        managers = list(people.filter(team__agency=team.agency_id).select_related("team"))
    return [m for m in managers if m.team is not None]
