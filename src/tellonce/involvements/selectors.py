"""Reading the involvement register for a user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from tellonce.involvements.models import Involvement

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
