"""Reading the partnership's directory of teams: contact details, open to every user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from tellonce.organisations.models import Agency, AgencyKind, Team

if TYPE_CHECKING:
    from tellonce.accounts.models import User


def school_get_for_user(*, user: User, school_id: int) -> Agency:
    """A school of the partnership (the directory is open to every signed-in user:
    what may be done about the school is the caller's service to decide)."""
    school = Agency.objects.filter(pk=school_id, kind=AgencyKind.SCHOOL).first()
    if school is None or not user.is_authenticated:
        raise Http404("No such school")
    return school


def team_directory(*, user: User, service: str | None = None) -> QuerySet[Team]:
    """Every team and how to reach it. Not personal data: any signed-in user may read it."""
    teams = Team.objects.select_related("agency").order_by("agency__name", "name")
    return teams.filter(service=service) if service else teams
