"""Reading the involvement register for a user: one of the user's team's own
involvements, and what the user may confirm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from tellonce.involvements.models import Confirmation, Involvement
from tellonce.organisations.models import Role

if TYPE_CHECKING:
    from tellonce.accounts.models import User


def involvement_get_for_user(*, user: User, involvement_id: int) -> Involvement:
    """One of the user's team's own involvements (only the team involved may end it);
    a 404 for anyone else's."""
    if user.team_id is None:
        raise Http404("No such involvement of your team")
    involvement = (
        Involvement.objects.select_related("person", "team__agency")
        .filter(pk=involvement_id, team_id=user.team_id)
        .first()
    )
    if involvement is None:
        raise Http404("No such involvement of your team")
    return involvement


def involvements_to_confirm(*, user: User) -> QuerySet[Involvement]:
    """What a practitioner said and nobody has confirmed, that this user may confirm
    (`services.may_confirm`): for a MASH manager, all of them; for a team's manager, the
    team's; for a lead professional, the child's. Never the user's own."""
    waiting = (
        Involvement.objects.current()
        .filter(confirmation=Confirmation.AWAITING)
        .exclude(recorded_by=user)
        .select_related("person", "team__agency", "recorded_by")
        .order_by("confirm_by", "pk")
    )
    if not user.is_authenticated or user.is_system_account or user.team_id is None:
        return waiting.none()
    if user.has_role(Role.MASH_MANAGER):
        return waiting
    led = Involvement.objects.current().filter(practitioner=user, is_lead_professional=True)
    mine = Q(person__in=led.values("person"))
    if user.is_manager:
        mine |= Q(team_id=user.team_id)
    return waiting.filter(mine)


def involvement_to_confirm_get_for_user(*, user: User, involvement_id: int) -> Involvement:
    """One involvement waiting for this user to confirm it; a 404 for anyone else."""
    involvement = involvements_to_confirm(user=user).filter(pk=involvement_id).first()
    if involvement is None:
        raise Http404("No such involvement waiting for you to confirm")
    return involvement
