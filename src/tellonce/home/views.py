"""The home page, "My work": each practitioner's people, alerts, actions and their part
of the protocols; aggregates for analysts. See `selectors`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tellonce.accounts.models import User
from tellonce.alerts.selectors import unread_count
from tellonce.audit.services import audit_list, via_request
from tellonce.core.requests import acting_user
from tellonce.home.selectors import break_glass_for_manager, my_work, partnership_figures
from tellonce.involvements.models import Capacity
from tellonce.involvements.selectors import involvements_to_confirm
from tellonce.linkage.review import can_review, review_queue
from tellonce.mash.selectors import actions_to_do
from tellonce.organisations.models import AgencyKind


def protocol_links(user: User) -> list[tuple[str, str, str]]:
    """(link text, URL, what is waiting) for the protocols the user takes part in:
    missing children, return home interviews, Operation Encompass."""
    from django.urls import reverse

    from tellonce.encompass.selectors import may_see_coverage, notifications_for_team
    from tellonce.missing.selectors import interview_worklist, is_police_desk, may_see_figures
    from tellonce.missing.selectors import police_inbox as missing_inbox
    from tellonce.organisations.models import Service

    team = user.team
    if team is None or user.is_system_account:
        return []
    links = []
    if is_police_desk(user):
        waiting = missing_inbox(user=user).filter(police_acknowledged_on__isnull=True).count()
        links.append(("Missing children", reverse("missing:police"), f"{waiting} not acknowledged"))
    if team.agency.kind == AgencyKind.POLICE:
        links.append(("Record a domestic abuse incident", reverse("encompass:incident-new"), ""))
    if team.service == Service.RETURN_INTERVIEWS:
        due = interview_worklist(user=user).count()
        links.append(("Return home interviews", reverse("missing:worklist"), f"{due} to do"))
    if team.service in (Service.SCHOOL_SAFEGUARDING, Service.EDUCATION_MASH):
        waiting = notifications_for_team(user=user).count()
        links.append(
            (
                "Operation Encompass notifications",
                reverse("encompass:notifications"),
                f"{waiting} to acknowledge",
            )
        )
    if may_see_coverage(user):
        links.append(("Operation Encompass coverage", reverse("encompass:coverage"), ""))
    if may_see_figures(user):
        links.append(("Missing children: figures", reverse("missing:figures"), ""))
    return links


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    figures = partnership_figures(user=user)
    people = list(my_work(user=user))
    if people:
        audit_list(via_request(request), user=user, listed="my work", people=len(people))
    if figures:
        kinds = dict(AgencyKind.choices)
        capacities = dict(Capacity.choices)
        for row in figures["by_agency_kind"]:
            row["label"] = kinds.get(row["team__agency__kind"], row["team__agency__kind"])
        for row in figures["by_capacity"]:
            row["label"] = capacities.get(row["capacity"], row["capacity"])
    return render(
        request,
        "home/home.html",
        {
            "people": people,
            "break_glass": break_glass_for_manager(user=user)[:20],
            "figures": figures,
            "review_waiting": review_queue(user=user).count() if can_review(user) else None,
            "alerts_unread": unread_count(user=user) if user.team_id else None,
            "actions_to_do": actions_to_do(user=user) if user.team_id else 0,
            "to_confirm": involvements_to_confirm(user=user).count(),
            "protocols": protocol_links(user),
            "nav": "home",
        },
    )
