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


def alert_get_for_user(*, user: User, alert_id: int) -> Alert:
    alert = alert_inbox(user=user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert in your inbox")
    return alert


def unread_count(*, user: User) -> int:
    return alert_inbox(user=user).filter(read_on__isnull=True).count()
