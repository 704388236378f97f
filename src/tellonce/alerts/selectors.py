"""What alerts a user sees: those to them, and those to their team (a system account:
those to any team of its agency). Only delivered alerts: the inbox is what the worker
has delivered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from tellonce.alerts.models import Alert

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.involvements.models import Involvement
    from tellonce.people.models import Person


def alert_inbox(*, user: User) -> QuerySet[Alert]:
    team = user.team
    if team is None:
        return Alert.objects.none()
    if user.is_system_account:
        mine = Q(team__agency_id=team.agency_id)
    else:
        mine = Q(user=user) | Q(team=team)
    return (
        Alert.objects.filter(mine, delivered_on__isnull=False)
        .select_related("team__agency", "user", "person")
        .order_by("-delivered_on", "-pk")
    )


def alert_get(*, user: User, alert_id: int) -> Alert:
    alert = alert_inbox(user=user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert in your inbox")
    return alert


def unread_count(*, user: User) -> int:
    return alert_inbox(user=user).filter(read_on__isnull=True).count()


#: Agencies that give unscheduled care, to whom CP-IS shows its flag.
HEALTH_AGENCIES = ("nhs_trust", "gp_practice", "icb")


def cp_is_flag(*, user: User, person: Person) -> list[Involvement]:
    """For a health practitioner: the child's protection plan or care status and their
    social worker's contact (CP-IS). Empty for everyone else, and for children with
    neither."""
    from tellonce.alerts.services import cp_is_involvements

    team = user.team
    if team is None or team.agency.kind not in HEALTH_AGENCIES:
        return []
    return cp_is_involvements(person)
