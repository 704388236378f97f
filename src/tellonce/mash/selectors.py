"""Reading the MASH's work, always for a user: the queue, a case with everything the
MASH needs to decide, the requests for information a partner team has been sent, the
daily meeting, and response times per agency.

Who sees what: a case is seen by the MASH working on it (every role in that MASH);
a request for information by the team that was asked and by that MASH. Every look at
a case or a request is audited as a look at the child's record.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from tellonce.access.policy import Basis, access_for
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.core import workdays
from tellonce.earlyhelp.models import Episode
from tellonce.earlyhelp.services import closed_within
from tellonce.involvements.models import Involvement
from tellonce.mash.models import (
    OPEN_STATES,
    CaseAction,
    CaseTransition,
    Contact,
    ContactChild,
    InformationRequest,
    MashCase,
    Meeting,
    MeetingItem,
    Rag,
    State,
    StrategyDiscussion,
)
from tellonce.mash.services import (
    ProposedTeam,
    previous_referral,
    rfi_teams_proposed,
    strategy_invitees_proposed,
)
from tellonce.organisations.models import Role, Team
from tellonce.people.selectors import household_of

if TYPE_CHECKING:
    from tellonce.accounts.models import User


def hub_of(user: User) -> Team:
    """The MASH the user works in; refused for everyone else."""
    team = user.team
    if not user.is_authenticated or not user.works_in_mash or team is None or team.hub is None:
        raise PermissionDenied("The MASH's work is for the MASH")
    return team.hub


# ----- the queue --------------------------------------------------------------------

QUEUE_STATES = {"open": OPEN_STATES, "all": tuple(State.values), **{s: (s,) for s in State.values}}


@dataclass(frozen=True)
class QueueFilter:
    state: str = "open"
    rag: str = ""
    overdue: bool = False
    mine: bool = False
    #: Open cases whose decision is due by the end of today and is not yet late.
    due_today: bool = False

    def problems(self) -> dict[str, str]:
        problems = {}
        if self.state not in QUEUE_STATES:
            problems["state"] = "Choose open, all, or one state"
        if self.rag and self.rag not in (*Rag.values, "unrated"):
            problems["rag"] = "Choose red, amber, green or unrated"
        return problems


@dataclass
class QueueRow:
    case: MashCase
    time_left: str
    overdue: bool
    waiting_requests: int


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    overdue_total: int
    page: int
    pages: int
    per_page: int = 50


def _overdue_q(now: datetime) -> Q:
    return Q(state__in=OPEN_STATES, decision_due__lt=now)


def _due_today_q(now: datetime) -> Q:
    """Due by midnight tonight and not late yet: "overdue" counts the rest."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return Q(
        state__in=OPEN_STATES, decision_due__gte=now, decision_due__lt=midnight + timedelta(days=1)
    )


@dataclass(frozen=True)
class QueueCounts:
    """The MASH's work in numbers, each the total of a queue filter (the home page)."""

    open: int
    due_today: int
    overdue: int
    mine: int


def queue_counts(*, user: User) -> QueueCounts:
    """What the queue would total with each filter: open, due today, overdue, and open
    cases allocated to the user, in one query."""
    hub = hub_of(user)
    now = timezone.now()
    found = MashCase.objects.filter(hub=hub, state__in=OPEN_STATES).aggregate(
        open=Count("pk"),
        due_today=Count("pk", filter=_due_today_q(now)),
        overdue=Count("pk", filter=_overdue_q(now)),
        mine=Count("pk", filter=Q(allocated_to=user)),
    )
    return QueueCounts(**found)


def mash_queue(*, user: User, filters: QueueFilter, page: int = 1, per_page: int = 50) -> QueuePage:
    """The MASH's cases, most urgent first, with their timers."""
    hub = hub_of(user)
    now = timezone.now()
    cases: QuerySet[MashCase] = MashCase.objects.filter(
        hub=hub, state__in=QUEUE_STATES[filters.state]
    )
    if filters.rag == "unrated":
        cases = cases.filter(rag="")
    elif filters.rag:
        cases = cases.filter(rag=filters.rag)
    if filters.mine:
        cases = cases.filter(allocated_to=user)
    overdue_q = _overdue_q(now)
    if filters.overdue:
        cases = cases.filter(overdue_q)
    if filters.due_today:
        cases = cases.filter(_due_today_q(now))
    total = cases.count()
    overdue_total = cases.filter(overdue_q).count() if not filters.overdue else total
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    order = ("decision_due", "pk") if filters.state == "open" else ("-received_on", "-pk")
    # The page's ids first (an index scan), then its rows with their waiting requests:
    # counting requests for every case of the year before paging was the slow part.
    ids = list(
        cases.order_by(*order).values_list("pk", flat=True)[(page - 1) * per_page : page * per_page]
    )
    waiting = (
        InformationRequest.objects.filter(case=OuterRef("pk"), answered_on__isnull=True)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    by_id = {
        case.pk: case
        for case in MashCase.objects.filter(pk__in=ids)
        .select_related("person", "allocated_to")
        .annotate(waiting=Coalesce(Subquery(waiting), 0))
    }
    chosen = [by_id[pk] for pk in ids]
    rows = [
        QueueRow(
            case=case,
            time_left=workdays.time_left(now, case.decision_due) if case.is_open else "",
            overdue=case.is_open and case.decision_due < now,
            waiting_requests=case.waiting,  # type: ignore[attr-defined]
        )
        for case in chosen
    ]
    return QueuePage(rows, total, overdue_total, page, pages, per_page)


# ----- a case -----------------------------------------------------------------------


@dataclass
class CasePicture:
    case: MashCase
    contacts: list[ContactChild]
    involved: list[Involvement]
    previous: list[MashCase]
    #: The referral in the 12 months before this contact (it would be a re-referral).
    previous_referral: MashCase | None
    #: Early help that closed in the 12 months before this contact.
    early_help_closed: Episode | None
    transitions: list[CaseTransition]
    requests: list[InformationRequest]
    actions: list[CaseAction]
    discussions: list[StrategyDiscussion]
    time_left: str
    overdue: bool
    rfi_teams: list[ProposedTeam] = field(default_factory=list)
    invitees: list[ProposedTeam] = field(default_factory=list)
    meeting_minutes: list[Any] = field(default_factory=list)


def case_get_for_user(*, user: User, case_id: int) -> MashCase:
    """A case of the MASH the user works in: refused outside a MASH, and a 404 for
    another MASH's case. The pages and the API act on a case only through here."""
    hub = hub_of(user)
    case = (
        MashCase.objects.select_related(
            "person",
            "hub",
            "contact",
            "allocated_to",
            "decided_by",
            "signed_off_by",
            "lead_professional",
        )
        .filter(pk=case_id, hub=hub)
        .first()
    )
    if case is None:
        raise Http404("No such case in your MASH")
    return case


def case_picture(*, user: User, case_id: int, via: Via) -> CasePicture:
    """A case and everything the MASH needs to decide; audited as a look at the
    child's record."""
    case = case_get_for_user(user=user, case_id=case_id)
    person = case.person
    circle = [person, *household_of(person)]
    now = timezone.now()
    picture = CasePicture(
        case=case,
        contacts=list(
            case.contact_children.select_related("contact__referring_agency").order_by(
                "contact__received_on"
            )
        ),
        involved=list(
            Involvement.objects.current()
            .filter(person__in=circle)
            .exclude(team=case.hub_id, capacity="mash_enquiry")
            .select_related("team__agency", "practitioner", "person")
            .order_by("person__date_of_birth", "started_on")
        ),
        previous=list(
            MashCase.objects.filter(person=person, received_on__lt=case.received_on)
            .exclude(pk=case.pk)
            .select_related("contact__referring_agency")
            .order_by("-received_on")[:20]
        ),
        previous_referral=case.previous_referral
        or previous_referral(person, before=case.received_on, exclude=case),
        early_help_closed=closed_within(person, before=case.received_on),
        transitions=list(case.transitions.select_related("by")),
        requests=[
            r
            for r in case.requests.select_related("team__agency", "asked_by", "answered_by")
            if may_read_request(user, r)
        ],
        actions=list(case.actions.select_related("owner", "person")),
        discussions=list(case.strategy_discussions.prefetch_related("invitees__team__agency")),
        time_left=workdays.time_left(now, case.decision_due) if case.is_open else "",
        overdue=case.is_open and case.decision_due < now,
        meeting_minutes=list(
            case.meeting_items.exclude(minutes="").select_related("meeting").order_by("-pk")
        ),
    )
    if case.is_open:
        picture.rfi_teams = rfi_teams_proposed(case)
    elif case.state == State.OUTCOME:
        picture.invitees = strategy_invitees_proposed(case)
    audit_via(via, user=user, action=Action.VIEW, person=person, obj=case)
    return picture


def in_the_mash_of(user: User, contact: Contact) -> bool:
    """Whether the user works in the MASH that received the contact."""
    team = user.team
    hub = team.hub if team is not None else None
    return user.works_in_mash and hub is not None and hub.pk == contact.hub_id


def contact_get_for_user(*, user: User, contact_id: int) -> Contact:
    """A contact, for whoever made it and for the MASH that received it; a 404 for
    everyone else."""
    # Withdrawn or not: a withdrawn contact's page says so.
    contact = Contact.all_objects.select_related("hub", "archived_by").filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact")
    if contact.referrer_id != user.pk and not in_the_mash_of(user, contact):
        raise Http404("No such contact")
    return contact


def contact_children(contact: Contact) -> list[ContactChild]:
    """The children of a contact (withdrawn with it or not), each with their case as
    it was (reached only through `contact_get_for_user`)."""
    return list(
        ContactChild.all_objects.filter(contact=contact.pk)
        .select_related("person", "case")
        .order_by("pk")
    )


def strategy_discussion_get_for_user(*, user: User, discussion_id: int) -> StrategyDiscussion:
    """A strategy discussion about a case of the user's MASH (the case decides)."""
    discussion = (
        StrategyDiscussion.objects.select_related("case__hub", "case__person")
        .filter(pk=discussion_id, case__hub=hub_of(user))
        .first()
    )
    if discussion is None:
        raise Http404("No such strategy discussion in your MASH")
    return discussion


def cases_for_person(*, user: User, person_id: Any) -> list[MashCase]:
    """The MASH's cases about a person, for the record page (the MASH only)."""
    try:
        hub = hub_of(user)
    except PermissionDenied:
        return []
    return list(MashCase.objects.filter(hub=hub, person_id=person_id).order_by("-received_on"))


# ----- requests for information -----------------------------------------------------


@dataclass
class InboxRow:
    request: InformationRequest
    time_left: str
    overdue: bool


def rfi_requests(*, user: User, answered: bool = False) -> QuerySet[InformationRequest]:
    """The requests for information sent to the user's team: those waiting for an
    answer, soonest due first; or those answered, the latest first."""
    if user.team_id is None or not user.does_casework:
        raise PermissionDenied("Requests for information go to practitioners' teams")
    return (
        InformationRequest.objects.filter(team=user.team_id, answered_on__isnull=not answered)
        .select_related("case__person", "case__hub", "asked_by")
        .order_by("-answered_on" if answered else "due_on", "pk")
    )


def rfi_inbox(*, user: User, answered: bool = False) -> list[InboxRow]:
    """The requests for information sent to the user's team, soonest due first."""
    requests = rfi_requests(user=user, answered=answered)[:200]
    now = timezone.now()
    return [
        InboxRow(
            request=r,
            time_left="" if answered else workdays.time_left(now, r.due_on),
            overdue=not answered and r.due_on < now,
        )
        for r in requests
    ]


def rfi_waiting_count(*, user: User) -> int:
    """How many requests for information to the user's team wait for an answer."""
    if user.team_id is None or not user.does_casework:
        return 0
    return InformationRequest.objects.filter(team=user.team_id, answered_on__isnull=True).count()


def may_read_request(user: User, request: InformationRequest) -> bool:
    """Who reads a request for information and its answer: the team asked; the MASH
    social workers and managers of the MASH working on the case; and anyone with their
    own relationship to the child (their team or agency works with them). Not the
    MASH's other partners: the police desk does not read health's answer about an A&E
    attendance on a case it was never asked about."""
    if not user.is_authenticated or not user.does_casework or user.team is None:
        return False
    team = user.team
    if team.pk == request.team_id:
        return True
    if (
        user.has_role(Role.MASH_SOCIAL_WORKER, Role.MASH_MANAGER)
        and team.hub is not None
        and team.hub.pk == request.case.hub_id
    ):
        return True
    return access_for(user, request.case.person).basis in (Basis.INVOLVED, Basis.AGENCY_INVOLVED)


def rfi_get_for_user(*, user: User, request_id: int, via: Via) -> InformationRequest:
    """A request, for those who may read it (`may_read_request`); audited."""
    request = (
        InformationRequest.objects.select_related(
            "case__person", "case__hub", "case__contact", "team__agency", "asked_by", "answered_by"
        )
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404("No such request")
    if not may_read_request(user, request):
        raise Http404("No such request")
    audit_via(via, user=user, action=Action.VIEW, person=request.case.person, obj=request)
    return request


@dataclass
class AgencyResponseTimes:
    agency: str
    asked: int
    answered: int
    on_time: int
    waiting: int
    median_hours: float | None


def response_times_reader(user: User) -> None:
    """Response times are for partnership analysts and MASH managers; refused otherwise."""
    if not user.is_authenticated or not user.has_role(Role.PARTNERSHIP_ANALYST, Role.MASH_MANAGER):
        raise PermissionDenied("Response times are for partnership analysts and MASH managers")


def rfi_response_times(*, user: User, since: datetime | None = None) -> list[AgencyResponseTimes]:
    """Per agency: how many requests, how many answered on time, the median working
    hours to answer (for the oversight dashboard; no child is named)."""
    response_times_reader(user)
    since = since or timezone.now() - timedelta(days=365)
    rows: dict[str, list[InformationRequest]] = {}
    for request in InformationRequest.objects.filter(sent_on__gte=since).select_related(
        "team__agency"
    ):
        rows.setdefault(request.team.agency.name, []).append(request)
    result = []
    for agency, requests in sorted(rows.items()):
        answered = [r for r in requests if r.answered_on is not None]
        hours = [r.response_hours for r in answered if r.response_hours is not None]
        result.append(
            AgencyResponseTimes(
                agency=agency,
                asked=len(requests),
                answered=len(answered),
                on_time=sum(1 for r in answered if r.answered_on and r.answered_on <= r.due_on),
                waiting=len(requests) - len(answered),
                median_hours=round(statistics.median(hours), 1) if hours else None,
            )
        )
    return result


def actions_for(*, user: User, done: bool = False) -> list[CaseAction]:
    """The actions the user owns, soonest due first (or the last done)."""
    actions = CaseAction.objects.filter(owner=user, done_on__isnull=not done).select_related(
        "person", "case__hub", "created_by"
    )
    return list(actions.order_by("-done_on" if done else "due_on", "pk")[:200])


def actions_to_do(*, user: User) -> int:
    return CaseAction.objects.filter(owner=user, done_on__isnull=True).count()


def action_get_for_user(*, user: User, action_id: int) -> CaseAction:
    """An action, for its owner or the MASH that set it."""
    action = (
        CaseAction.objects.select_related("person", "case", "owner").filter(pk=action_id).first()
    )
    if action is None:
        raise Http404("No such action")
    team = user.team
    in_mash = (
        action.case is not None
        and user.works_in_mash
        and team is not None
        and team.hub is not None
        and team.hub.pk == action.case.hub_id
    )
    if action.owner_id != user.pk and not in_mash:
        raise Http404("No such action")
    return action


# ----- the meeting ------------------------------------------------------------------


def meeting_get_for_user(*, user: User, meeting_id: int) -> Meeting:
    """A meeting of the user's MASH."""
    hub = hub_of(user)
    meeting = Meeting.objects.filter(pk=meeting_id, hub=hub).first()
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


def meeting_item_get_for_user(*, user: User, item_id: int) -> MeetingItem:
    """One child's item on a meeting of the user's MASH."""
    item = (
        MeetingItem.objects.select_related("meeting", "case__person")
        .filter(pk=item_id, meeting__hub=hub_of(user))
        .first()
    )
    if item is None:
        raise Http404("No such meeting item in your MASH")
    return item


def meeting_today(*, user: User) -> Meeting | None:
    return Meeting.objects.filter(hub=hub_of(user), held_on=timezone.localdate()).first()
