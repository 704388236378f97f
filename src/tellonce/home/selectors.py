"""What a user's home page ("My work") shows: the people they work with, recent
break-glass looks at those people (for managers), aggregates only (for analysts).

The home page is the top layer: it reads every domain's worklists through their own
selectors, and nothing imports it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tellonce.access.models import BreakGlassGrant
from tellonce.access.policy import full_access_filter
from tellonce.involvements.models import Involvement
from tellonce.organisations.models import Role
from tellonce.people.models import Person

if TYPE_CHECKING:
    from tellonce.accounts.models import User

BREAK_GLASS_NOTICE_DAYS = 14


def my_work(*, user: User, limit: int = 50) -> QuerySet[Person]:
    """People the user's team (or MASH) is working with now, most recent first."""
    if not user.is_authenticated or not user.does_casework or user.is_system_account:
        return Person.objects.none()
    return Person.objects.filter(full_access_filter(user)).order_by("family_name", "given_name")[
        :limit
    ]


def break_glass_for_manager(*, user: User) -> QuerySet[BreakGlassGrant]:
    """Recent break-glass grants on people the manager's team (or MASH) works with."""
    if not user.is_case_manager or user.team_id is None:
        return BreakGlassGrant.objects.none()
    teams = [user.team_id]
    if user.has_role(Role.MASH_MANAGER) and user.team and user.team.hub:
        teams.append(user.team.hub.pk)
    people = Involvement.objects.active().filter(team_id__in=teams).values("person_id")
    since = timezone.now() - timedelta(days=BREAK_GLASS_NOTICE_DAYS)
    return (
        BreakGlassGrant.objects.filter(person_id__in=people, granted_on__gte=since)
        .exclude(user=user)
        .select_related("user__team__agency", "person")
        .order_by("-granted_on")
    )


def partnership_figures(*, user: User) -> dict[str, Any]:
    """Aggregates only: never a name. For partnership analysts."""
    if not user.has_role(Role.PARTNERSHIP_ANALYST):
        return {}
    today = timezone.localdate()
    adult_born_by = today.replace(year=today.year - 18)
    by_agency_kind = (
        Involvement.objects.current()
        .values("team__agency__kind")
        .annotate(people=Count("person", distinct=True))
        .order_by("team__agency__kind")
    )
    return {
        "children": Person.objects.filter(date_of_birth__gt=adult_born_by).count(),
        "adults": Person.objects.filter(
            Q(date_of_birth__lte=adult_born_by) | Q(date_of_birth__isnull=True)
        ).count(),
        "by_agency_kind": list(by_agency_kind),
        "by_capacity": list(
            Involvement.objects.current()
            .values("capacity")
            .annotate(people=Count("person", distinct=True))
            .order_by("-people")
        ),
    }
