from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tellonce.accounts.models import User
from tellonce.alerts.selectors import unread_count
from tellonce.core.selectors import break_glass_for_manager, partnership_figures
from tellonce.involvements.models import Capacity
from tellonce.linkage.review import can_review, review_queue
from tellonce.mash.selectors import actions_to_do
from tellonce.organisations.models import AgencyKind
from tellonce.people.selectors import my_work


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    figures = partnership_figures(user=user)
    if figures:
        kinds = dict(AgencyKind.choices)
        capacities = dict(Capacity.choices)
        for row in figures["by_agency_kind"]:
            row["label"] = kinds.get(row["team__agency__kind"], row["team__agency__kind"])
        for row in figures["by_capacity"]:
            row["label"] = capacities.get(row["capacity"], row["capacity"])
    return render(
        request,
        "core/home.html",
        {
            "people": my_work(user=user),
            "break_glass": break_glass_for_manager(user=user)[:20],
            "figures": figures,
            "review_waiting": review_queue(user=user).count() if can_review(user) else None,
            "alerts_unread": unread_count(user=user) if user.team_id else None,
            "actions_to_do": actions_to_do(user=user) if user.team_id else 0,
            "nav": "home",
        },
    )
