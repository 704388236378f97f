"""What a user's home page ("My work") shows: the work waiting for them, and the people
they work with and why.

- In the MASH: the queue in numbers (open, decisions due today, overdue, allocated to
  you), requests for information waiting for the team's answer, and the user's actions,
  each the total of the list it links to.
- For everyone who does casework: the people the team works with, the most recently
  started first, each with why they are there (the involvement and its start, an
  unread alert about them, the user's next action for them), a total and pages.
- The protocols that must never miss, each with what is waiting and its first few:
  the police desk's unacknowledged missing children, a school's (or the council's)
  unacknowledged Operation Encompass notifications, the interviewer's return home
  interviews by deadline.
- Recent break-glass looks at those people (for managers); aggregates only (for
  analysts).

The home page is the top layer: it reads every domain's worklists through their own
selectors, and nothing imports it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, overload

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Window
from django.urls import reverse
from django.utils import timezone

from tellonce.access.models import BreakGlassGrant
from tellonce.access.policy import involvements_giving_access
from tellonce.alerts.models import Alert
from tellonce.alerts.selectors import alert_inbox
from tellonce.core.pagination import PER_PAGE
from tellonce.involvements.models import Involvement
from tellonce.mash.models import CaseAction
from tellonce.mash.selectors import (
    QueueCounts,
    actions_for,
    actions_to_do,
    queue_counts,
    rfi_waiting_count,
)
from tellonce.organisations.models import AgencyKind, Role, Service
from tellonce.people.models import Person

if TYPE_CHECKING:
    from tellonce.accounts.models import User

BREAK_GLASS_NOTICE_DAYS = 14
#: How many of a protocol's waiting items the home page names before "see all".
FIRST_FEW = 5


# ----- the people the team works with ---------------------------------------------


@dataclass
class PersonRow:
    """A person on the list, and why they are there."""

    person: Person
    #: The latest involvement through which the user's team (or MASH) sees them.
    involvement: Involvement | None = None
    #: The newest unread alert about them in the user's inbox.
    alert: Alert | None = None
    #: The user's soonest open action for them.
    action: CaseAction | None = None
    #: Until when the user's break-glass access lasts, where that is why.
    break_glass_until: datetime | None = None


class MyWork(Sequence[Person]):
    """The people of `my_work`, the most recently started first (ties by id), counted
    and sliced from the team's involvements alone: ordering every person the team
    sees (15,628 for health visiting) by a correlated subquery took 160 ms a page, and
    joining them all to the borough's people to drop the archived, 60 ms."""

    def __init__(self, giving: QuerySet[Involvement]) -> None:
        archived = Person.all_objects.filter(archived_on__isnull=False).values("pk")
        self.latest = (
            giving.exclude(person_id__in=archived)
            .values("person_id")
            .annotate(since=Max("started_on"))
            .order_by("-since", "person_id")
        )
        self.total: int | None = None
        self.first: list[Any] = []

    def __len__(self) -> int:
        if self.total is None:
            # The first page and the total in one read (the page nearly always asked).
            self.first = list(self.latest.annotate(total=Window(Count("*")))[:PER_PAGE])
            self.total = self.first[0]["total"] if self.first else 0
        return self.total

    @overload
    def __getitem__(self, index: int) -> Person: ...

    @overload
    def __getitem__(self, index: slice) -> list[Person]: ...

    def __getitem__(self, index: int | slice) -> Person | list[Person]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        rows: list[Any] = (
            self.first
            if index == slice(0, PER_PAGE) and self.total is not None
            else list(self.latest[index])
        )
        ids = [row["person_id"] for row in rows]
        people = Person.objects.in_bulk(ids)
        return [people[pk] for pk in ids if pk in people]


def my_work(*, user: User) -> QuerySet[Person] | MyWork:
    """People the user's team (or MASH) is working with now, the most recently started
    first (those seen only by breaking the glass last). Page it, then ask
    `why_on_my_list` about the page."""
    if not user.is_authenticated or not user.does_casework or user.is_system_account:
        return Person.objects.none()
    giving = involvements_giving_access(user)
    grants = BreakGlassGrant.objects.in_force().filter(user=user)
    if not grants.exists():
        # Nearly always: the team's own involvements answer it (its index).
        return MyWork(giving)
    # `access.policy.full_access_filter`'s rule (the involvements that give access, or
    # a break-glass grant in force), asked from the team's side: its Exists on every
    # person in the borough took 0.7 s on the demo's 117,000 people.
    latest = giving.filter(person=OuterRef("pk")).order_by("-started_on", "-pk")
    seen = Q(pk__in=giving.values("person_id")) | Q(pk__in=grants.values("person_id"))
    return (
        Person.objects.filter(seen)
        .annotate(since=Subquery(latest.values("started_on")[:1]))
        .order_by(F("since").desc(nulls_last=True), "pk")
    )


def why_on_my_list(*, user: User, people: list[Person]) -> list[PersonRow]:
    """Why each of these people (a page of `my_work`) is on the user's list: the latest
    involvement, the newest unread alert, the soonest action, a break-glass grant."""
    rows = [PersonRow(person) for person in people]
    by_id = {row.person.pk: row for row in rows}
    if not by_id:
        return rows
    for involvement in (
        involvements_giving_access(user)
        .filter(person_id__in=by_id)
        .select_related("team", "practitioner")
        .order_by("-started_on", "-pk")
    ):
        row = by_id[involvement.person_id]
        row.involvement = row.involvement or involvement
    # The inbox is newest first: the first unread alert per person is the newest.
    for alert in alert_inbox(user=user).filter(person_id__in=by_id, read_on__isnull=True):
        if alert.person_id in by_id:
            row = by_id[alert.person_id]
            row.alert = row.alert or alert
    for action in actions_for(user=user):  # soonest due first
        if action.person_id in by_id:
            row = by_id[action.person_id]
            row.action = row.action or action
    for grant in BreakGlassGrant.objects.in_force().filter(user=user, person_id__in=by_id):
        row = by_id[grant.person_id]
        if row.break_glass_until is None or grant.expires_on > row.break_glass_until:
            row.break_glass_until = grant.expires_on
    return rows


# ----- the MASH's work in numbers -------------------------------------------------


@dataclass(frozen=True)
class WorkCount:
    """A number on the home page and the list it totals."""

    label: str
    number: int
    url: str


def mash_counts(*, user: User) -> list[WorkCount]:
    """For everyone working in a MASH: each count is the total of the list it links to
    (the queue with one filter, the team's requests, the user's actions)."""
    if not user.is_authenticated or user.is_system_account or not user.works_in_mash:
        return []
    queue = reverse("mash:queue")
    counts: QueueCounts = queue_counts(user=user)
    return [
        WorkCount("Open cases", counts.open, f"{queue}?state=open"),
        WorkCount("Decisions due today", counts.due_today, f"{queue}?state=open&due_today=on"),
        WorkCount("Decisions overdue", counts.overdue, f"{queue}?state=open&overdue=on"),
        WorkCount("Open cases allocated to you", counts.mine, f"{queue}?state=open&mine=on"),
        WorkCount(
            "Requests for information to your team waiting for an answer",
            rfi_waiting_count(user=user),
            reverse("mash:requests"),
        ),
        WorkCount("Your actions to do", actions_to_do(user=user), reverse("mash:actions")),
    ]


# ----- the protocols ----------------------------------------------------------------


@dataclass(frozen=True)
class WaitingItem:
    """One of the first few things waiting in a protocol's list."""

    person: Person
    url: str
    detail: str
    due: datetime | None = None


@dataclass
class Protocol:
    """A protocol the user takes part in: its list, and what is waiting there."""

    title: str
    url: str
    #: How many wait ("3 not acknowledged"), or nothing where the link is all there is.
    waiting: int | None = None
    waiting_label: str = ""
    first_few: list[WaitingItem] = field(default_factory=list)


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %-d %b %Y, %H:%M")


def protocols_for(*, user: User) -> list[Protocol]:
    """The protocols the user takes part in: missing children, return home interviews,
    Operation Encompass; for each list, how many wait and the first few."""
    from tellonce.encompass.selectors import may_see_coverage, notifications_for_team
    from tellonce.missing.selectors import interview_worklist, is_police_desk, may_see_figures
    from tellonce.missing.selectors import police_inbox as missing_inbox

    team = user.team
    if team is None or user.is_system_account:
        return []
    found = []
    if is_police_desk(user):
        waiting = missing_inbox(user=user).filter(
            police_notified_on__isnull=False, police_acknowledged_on__isnull=True
        )
        found.append(
            Protocol(
                "Missing children",
                reverse("missing:police"),
                waiting.count(),
                "not acknowledged",
                [
                    WaitingItem(
                        e.person,
                        reverse("missing:episode", args=[e.pk]),
                        f"{e.get_risk_display()} risk, reported by {e.reporting_team.name}"
                        f" on {_when(e.reported_on)}",
                    )
                    for e in waiting.select_related("reporting_team")[:FIRST_FEW]
                ],
            )
        )
    if team.agency.kind == AgencyKind.POLICE:
        found.append(
            Protocol("Record a domestic abuse incident", reverse("encompass:incident-new"))
        )
    if team.service == Service.RETURN_INTERVIEWS:
        interviews = interview_worklist(user=user)
        found.append(
            Protocol(
                "Return home interviews",
                reverse("missing:worklist"),
                interviews.count(),
                "to do",
                [
                    WaitingItem(
                        i.person,
                        reverse("missing:episode", args=[i.episode_id]),
                        "Assigned to "
                        + (i.assigned_to.get_full_name() if i.assigned_to else "the team"),
                        due=i.due_on,
                    )
                    for i in interviews[:FIRST_FEW]
                ],
            )
        )
    if team.service in (Service.SCHOOL_SAFEGUARDING, Service.EDUCATION_MASH):
        notifications = notifications_for_team(user=user)
        found.append(
            Protocol(
                "Operation Encompass notifications",
                reverse("encompass:notifications"),
                notifications.count(),
                "to acknowledge",
                [
                    WaitingItem(
                        n.person,
                        reverse("encompass:notification", args=[n.pk]),
                        f"Domestic abuse incident on {_when(n.incident.occurred_at)}",
                        due=n.due_by,
                    )
                    for n in notifications[:FIRST_FEW]
                ],
            )
        )
    if may_see_coverage(user):
        found.append(Protocol("Operation Encompass coverage", reverse("encompass:coverage")))
    if may_see_figures(user):
        found.append(Protocol("Missing children: figures", reverse("missing:figures")))
    found.extend(_early_help_protocols(user))
    return found


def _early_help_protocols(user: User) -> list[Protocol]:
    """Requests to lead early help waiting for the user's answer (when there are any);
    for the early help service's managers, every episode still waiting for a lead."""
    from tellonce.earlyhelp.selectors import requests_to_lead, waiting_for_lead
    from tellonce.earlyhelp.services import is_broker

    found = []
    asked = requests_to_lead(user=user)
    count = asked.count()
    if count:
        found.append(
            Protocol(
                "Early help: asked to lead",
                reverse("earlyhelp:worklist"),
                count,
                "waiting for your answer",
                [
                    WaitingItem(
                        role.episode.person,
                        reverse("earlyhelp:episode", args=[role.episode_id]),
                        f"Asked by {role.offered_by.get_full_name()} on {_when(role.offered_on)}",
                    )
                    for role in asked[:FIRST_FEW]
                ],
            )
        )
    if is_broker(user):
        waiting = waiting_for_lead()
        found.append(
            Protocol(
                "Early help waiting for a lead",
                reverse("earlyhelp:worklist"),
                waiting.count(),
                "waiting for a lead professional",
                [
                    WaitingItem(
                        episode.person,
                        reverse("earlyhelp:episode", args=[episode.pk]),
                        f"Asked for by {episode.requesting_team.named} on"
                        f" {_when(episode.requested_on)}",
                        due=episode.lead_due,
                    )
                    for episode in waiting[:FIRST_FEW]
                ],
            )
        )
    return found


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
