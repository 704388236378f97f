"""The home page, "My work": each user's worklist. In the MASH, the queue in numbers;
for practitioners, the people their team works with and why, in pages; the protocols'
waiting items (missing children, interviews, Operation Encompass); aggregates for
analysts. See `selectors`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tellonce.alerts.selectors import unread_count
from tellonce.audit.services import audit_list, via_request
from tellonce.core.pagination import page_of
from tellonce.core.requests import acting_user
from tellonce.home.selectors import (
    break_glass_for_manager,
    mash_counts,
    my_work,
    partnership_figures,
    protocols_for,
    why_on_my_list,
)
from tellonce.involvements.models import Capacity
from tellonce.involvements.selectors import involvements_to_confirm
from tellonce.linkage.review import can_review, review_queue
from tellonce.mash.selectors import actions_to_do
from tellonce.organisations.models import AgencyKind


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    figures = partnership_figures(user=user)
    people = page_of(request, my_work(user=user))
    rows = why_on_my_list(user=user, people=people.rows)
    protocols = protocols_for(user=user)
    break_glass = list(break_glass_for_manager(user=user)[:20])
    named = {person.pk for person in people.rows}
    named |= {item.person.pk for protocol in protocols for item in protocol.first_few}
    named |= {grant.person_id for grant in break_glass}
    if named:
        audit_list(via_request(request), user=user, listed="my work", people=len(named))
    if figures:
        kinds = dict(AgencyKind.choices)
        capacities = dict(Capacity.choices)
        for row in figures["by_agency_kind"]:
            row["label"] = kinds.get(row["team__agency__kind"], row["team__agency__kind"])
        for row in figures["by_capacity"]:
            row["label"] = capacities.get(row["capacity"], row["capacity"])
    counts = mash_counts(user=user)
    return render(
        request,
        "home/home.html",
        {
            "people": people,
            "rows": rows,
            "break_glass": break_glass,
            "figures": figures,
            "review_waiting": review_queue(user=user).count() if can_review(user) else None,
            "alerts_unread": unread_count(user=user) if user.team_id else None,
            "mash_counts": counts,
            # In the MASH the counts include the actions; elsewhere they stand alone.
            "actions_to_do": actions_to_do(user=user) if user.team_id and not counts else 0,
            "to_confirm": involvements_to_confirm(user=user).count(),
            "protocols": protocols,
            "nav": "home",
        },
    )
