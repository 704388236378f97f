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
