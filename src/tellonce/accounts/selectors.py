"""Reading who works where: the practitioners of some teams (for forms' choices), and
who a team's late or missed deadlines go to."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from tellonce.accounts.models import User
from tellonce.organisations.models import Role, Team


def practitioners_in(*, teams: Iterable[Team | int] | None = None) -> QuerySet[User]:
    """The active practitioners (people, not system accounts) of these teams, or of
    every team: who may own an action, lead, or do an interview, for forms' choices."""
    people = User.objects.filter(is_active=True, is_system_account=False, team__isnull=False)
    if teams is not None:
        people = people.filter(team__in=teams)
    return people.select_related("team").order_by("last_name", "first_name")


def managers_of(team: Team) -> list[User]:
    """Who a late or missed deadline in a team goes to: the team's managers; else its
    agency's; else nobody (the caller then tells the team itself). People only, each
    in a team."""
    people = User.objects.filter(is_manager=True, is_active=True, is_system_account=False)
    managers = list(people.filter(team=team).select_related("team"))
    if not managers:
        managers = list(people.filter(team__agency=team.agency_id).select_related("team"))
    return [m for m in managers if m.team is not None]


def administrators() -> QuerySet[User]:
    """The partnership's administrators, each in a team: who is told when an agency
    system misbehaves or an account's powers change."""
    return (
        User.objects.filter(
            roles__role=Role.ADMINISTRATOR,
            is_active=True,
            is_system_account=False,
            team__isnull=False,
        )
        .select_related("team")
        .distinct()
    )
