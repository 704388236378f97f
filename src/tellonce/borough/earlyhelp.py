"""A year of early help, made up: `early_help_history_seed()`.

It loads, for the twelve months before a day, the early help of the children the seed
made (about one episode a year for every ten children: 6,000 in the demo's 57,000), as
the early help services (`tellonce.earlyhelp.services`) would have written it:

- how each came: the MASH's decisions of early help (each MASH case signed off with
  early help opens an episode waiting for the lead it names, or joins the child's
  episode still live, as `episode_from_mash` does); a practitioner who knows the child,
  of every kind of team that may lead early help (a school's safeguarding lead for its
  pupils, a health visitor for the under-fives, a school nurse for pupils of five to
  sixteen, a voluntary sector worker, the council's early help team and its family hub
  workers); and the council's early help system (EHM), through its system account;
- who leads: whoever asked, when they name themself (it opens at once), or the
  practitioner they ask; most accept within `EARLY_HELP_LEAD_WORKING_DAYS` working
  days; some later, once the clock has asked the early help service's managers to find
  a lead (once, with its alert to them); some decline saying why and whoever asked
  names someone else; a few never answer and the manager asks someone else instead;
- a few handovers: the lead asks another, who accepts, and the lead before ends at that
  moment, with their lead professional involvement;
- the family's agreement on every episode that opened, given when it was asked for or
  recorded by the lead who accepted, by a parent with parental responsibility where
  the borough knows one;
- each accepted lead's lead professional involvement (early help, TellOnce's own
  work), ended when they hand over or the episode closes. Early help closes when its
  plan ends (about five months on, with the reason), so what is open is the recent
  work, and what still waits for a lead is the last few weeks'. The lead closes it
  (`episode_close`) saying why: the family's needs met, their agreement withdrawn, or
  a move away (stepping up to social care would need a MASH referral the MASH's
  history does not have);
- the services' chronology entries (asked for, opened, taken over, closed, and the
  involvements starting and ending) and their alerts (will you lead, the lead's answer, no
  lead after five working days): history's delivered and read, with no delivery rows;
  what still waits is unread.

Children whom the register already gives a lead professional, early help, a plan or
leaving care are left out, as the services would refuse to name a lead for them (a
MASH decision of early help about such a child opens nothing). Like the MASH's history
it writes no audit entries, and no "now involved" alerts for the involvements. Who
does the work is the borough's early help workforce: the demo logins and, made here,
practitioners in each team that may lead (a safeguarding lead for every school) and
the early help system's account. Times are in working hours on working days (a
school's on school days). The rows go in as plain INSERTs (`core.bulk`), the
chronology's through `history_store`; outcomes are dealt from shuffled quotas, so a
small borough's shares are the same as a large one's.

Whatever the borough's size, the demo has its story: a request to lead waits for Erin
(erin.earlyhelp), she leads open early help, and Gwen, the early help team's manager
(gwen.ehmanager), finds early help waiting for a lead, one of it past five working
days and escalated to her.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone

from tellonce.accounts.models import User, UserRole
from tellonce.accounts.selectors import managers_of
from tellonce.alerts.models import Alert, AlertKind
from tellonce.borough.chronologies import at_hours, history_store, school_day, working_day
from tellonce.borough.mash import working_moment
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.chronology.services import chronology_entry
from tellonce.core import workdays
from tellonce.core.bulk import rows_insert, sequences_reset
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.earlyhelp.models import Closure, Episode, EpisodeState, LeadRole, LeadState, Route
from tellonce.earlyhelp.services import episode_link
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.mash.models import OPEN_STATES, MashCase, Outcome
from tellonce.organisations.models import Role, Service, Team
from tellonce.people.models import Person, Relationship, RelationshipKind

#: Early help episodes a year for each child of the borough (6,000 for 57,000).
EPISODES_PER_CHILD = 6_000 / 57_000

#: Who asks (besides the MASH) and whom they name to lead, as shares of those episodes:
#: themself, or a practitioner of another team; the early help system says its lead
#: has accepted, or asks them.
SCHOOL, VISITING, NURSING, VOLUNTARY, EARLY_HELP, SYSTEM = (
    "school",
    "health_visiting",
    "school_nursing",
    "voluntary",
    "early_help",
    "system",
)
SELF, ACCEPTED = "self", "accepted"
REQUESTS: dict[tuple[str, str], float] = {
    (SCHOOL, SELF): 0.16,
    (SCHOOL, EARLY_HELP): 0.13,
    (SCHOOL, NURSING): 0.03,
    (SCHOOL, VOLUNTARY): 0.03,
    (VISITING, SELF): 0.06,
    (VISITING, EARLY_HELP): 0.05,
    (VISITING, VOLUNTARY): 0.01,
    (NURSING, SELF): 0.03,
    (NURSING, EARLY_HELP): 0.03,
    (NURSING, SCHOOL): 0.02,
    (VOLUNTARY, SELF): 0.04,
    (VOLUNTARY, EARLY_HELP): 0.04,
    (VOLUNTARY, SCHOOL): 0.02,
    (EARLY_HELP, SELF): 0.12,
    (EARLY_HELP, EARLY_HELP): 0.03,
    (SYSTEM, ACCEPTED): 0.14,
    (SYSTEM, EARLY_HELP): 0.06,
}
#: What becomes of a request to lead someone else: accepted within the working days
#: allowed, accepted later (escalated first), declined (and someone else asked), or
#: never answered (escalated, and the manager asks someone else).
ANSWERS = {"prompt": 0.78, "late": 0.07, "declined": 0.10, "brokered": 0.05}
#: Of episodes that open, the share whose lead hands over to another.
HANDOVER_SHARE = 0.06
#: Of requests naming someone else, the share with the family's agreement already.
CONSENT_ASKED_SHARE = 0.5
CONSENT_SYSTEM_SHARE = 0.8
#: How long early help lasts: a family plan of about five months (median, in days).
PLAN_DAYS = 150
#: The early help workforce for 57,000 children (at least the second figure).
WORKFORCE = {EARLY_HELP: (40, 3), VISITING: (10, 2), NURSING: (6, 2), VOLUNTARY: (3, 1)}
SYSTEM_USERNAME = "earlyhelp-system"
BATCH = 2_000
COUNTS = (
    "episodes",
    "from_mash",
    "from_practitioners",
    "from_system",
    "open",
    "waiting",
    "escalated_waiting",
    "closed",
    "leads_accepted",
    "accepted_late",
    "declined",
    "withdrawn",
    "handovers",
    "involvements",
    "alerts",
    "chronology_events",
    "workforce",
    "mash_without_episode",
)

_YEAR = timedelta(days=365)
_M = TypeVar("_M", bound=Model)
_DEMO_LEAD, _DEMO_MANAGER, _DEMO_DSL, _DEMO_VISITOR = (
    "erin.earlyhelp",
    "gwen.ehmanager",
    "dana.dsl",
    "priya.visitor",
)


def demo_episodes(children: int) -> int:
    return round(EPISODES_PER_CHILD * children)


def early_help_history_seed(*, children: int, as_of: date, seed: int) -> dict[str, int]:
    """A year of early help before `as_of`, scaled to a borough of `children`. Does
    nothing (all counts 0) if there are episodes already, or no early help team."""
    counts = dict.fromkeys(COUNTS, 0)
    if Episode.all_objects.exists():
        return counts
    end = min(timezone.now(), datetime.combine(as_of, time(17, 30), tzinfo=workdays.UK))
    with transaction.atomic():
        staff = _staff_ensure(children)
        if staff is None:
            return counts
        kids = _kids(as_of)
        if not kids.by_id:
            return counts
        year = _Year(kids=kids, staff=staff, end=end, rng=random.Random(f"early-help-{seed}"))
        year.from_mash()
        year.from_practitioners(max(demo_episodes(children) - len(year.plans), 0))
        year.demo_story()
        counts.update(year.write())
        counts["workforce"] = staff.made
    return counts


# ----- who does the work --------------------------------------------------------------


@dataclass
class _Staff:
    """The practitioners who may ask for and lead early help, by kind of team."""

    early_help: list[User]
    visitors: list[User]
    nurses: list[User]
    #: A voluntary sector worker, and the youngest age their service works with.
    voluntary: list[tuple[User, int]]
    #: Each school's safeguarding lead, by the school's team.
    dsls: dict[int, User]
    system: User
    #: The early help service's teams and their managers (who broker a lead).
    brokers: list[tuple[Team, list[User]]]
    by_username: dict[str, User]
    made: int = 0

    @property
    def broker(self) -> User | None:
        return next((m for _, managers in self.brokers for m in managers), None)


#: The youngest children each voluntary service works with (by its team's name).
_VOLUNTARY_FROM_AGE = {"Young carers project": 8, "Children and young people's service": 3}
_GIVEN = (
    "Abi Bola Carys Deepa Ewan Farah Gareth Hana Imran Jess Kwame Lena Mo Nina Olu Pia Rhys"
    " Sana Tariq Una Vikram Wendy Yasmin Zoe Amir Beth Callum Dami Elif Finn Grace Hamza"
).split()
_FAMILY = (
    "Ashworth Begum Campbell Dlamini Evans Fraser Gill Hussain Iqbal Jones Kowal Lindqvist"
    " Mahmood Nolan Obi Patel Quinn Rahman Sutherland Thompson Uddin Vaughan Walsh Young"
).split()
_EARLY_HELP_TITLES = (
    "Family support worker",
    "Family hub practitioner",
    "Early help practitioner",
    "Senior family support worker",
)


def _staff_ensure(children: int) -> _Staff | None:
    """The workforce, made where it is missing: the demo logins are part of it."""
    by_service: dict[str, list[Team]] = {}
    for team in (
        Team.objects.filter(archived_on__isnull=True)
        .filter(
            service__in=(
                Service.EARLY_HELP,
                Service.HEALTH_VISITING,
                Service.SCHOOL_NURSING,
                Service.VOLUNTARY,
                Service.SCHOOL_SAFEGUARDING,
            )
        )
        .select_related("agency")
        .order_by("pk")
    ):
        by_service.setdefault(team.service, []).append(team)
    if not by_service.get(Service.EARLY_HELP):
        return None
    early_help = by_service[Service.EARLY_HELP][0]
    scale = children / 57_000
    wanted: list[tuple[Team, int, str, str]] = []  # team, how many, role, job title
    for kind, service, role, title in (
        (EARLY_HELP, Service.EARLY_HELP, Role.EARLY_HELP_PRACTITIONER, ""),
        (VISITING, Service.HEALTH_VISITING, Role.PRACTITIONER, "Health visitor"),
        (NURSING, Service.SCHOOL_NURSING, Role.PRACTITIONER, "School nurse"),
        (VOLUNTARY, Service.VOLUNTARY, Role.PRACTITIONER, "Project worker"),
    ):
        most, least = WORKFORCE[kind]
        teams = (
            by_service.get(service, [])[:1] if kind != VOLUNTARY else by_service.get(service, [])
        )
        for team in teams:
            wanted.append((team, max(least, round(most * scale)), role, title))
    for team in by_service.get(Service.SCHOOL_SAFEGUARDING, []):
        wanted.append((team, 1, Role.SCHOOL_DSL, "Designated safeguarding lead"))

    teams = [team for team, *_ in wanted]
    people = User.objects.filter(
        team__in=teams, is_active=True, is_system_account=False, is_manager=False
    ).select_related("team__agency")
    members: dict[int, list[User]] = {}
    for user in people.order_by("pk"):
        assert user.team_id is not None
        members.setdefault(user.team_id, []).append(user)
    taken = set(User.objects.values_list("username", flat=True))
    names = _names()
    new: list[tuple[User, str]] = []
    for team, how_many, team_role, title in wanted:
        for n in range(how_many - len(members.get(team.pk, []))):
            given, family = next(names)
            username = f"{given}.{family}".lower()
            number = 1
            while username in taken:
                number += 1
                username = f"{given}.{family}{number}".lower()
            taken.add(username)
            job = title or _EARLY_HELP_TITLES[n % len(_EARLY_HELP_TITLES)]
            domain = team.email.partition("@")[2] or "northbrook.example"
            user = User(
                username=username,
                first_name=given,
                last_name=family,
                email=f"{username}@{domain}",
                password=make_password(None),
                team=team,
                job_title=job,
            )
            new.append((user, team_role))
    if new:
        User.objects.bulk_create([u for u, _ in new])
        made = {
            u.username: u for u in User.objects.filter(username__in=[u.username for u, _ in new])
        }
        UserRole.objects.bulk_create(
            [UserRole(user=made[u.username], role=role) for u, role in new]
        )
        team_of = {team.pk: team for team in teams}
        for user in made.values():
            assert user.team_id is not None
            user.team = team_of[user.team_id]
            members.setdefault(user.team_id, []).append(user)
    system = _system_account(early_help)
    workers = {team.pk: members.get(team.pk, []) for team in teams}

    def of(service: str) -> list[User]:
        return [u for t in by_service.get(service, [])[:1] for u in workers[t.pk]]

    demo = {
        u.username: u
        for u in User.objects.filter(
            username__in=(_DEMO_LEAD, _DEMO_MANAGER, _DEMO_DSL, _DEMO_VISITOR)
        ).select_related("team__agency")
    }
    brokers = [
        (team, managers_of(team))
        for team in Team.objects.filter(service=Service.EARLY_HELP).select_related("agency")
    ]
    return _Staff(
        early_help=of(Service.EARLY_HELP),
        visitors=of(Service.HEALTH_VISITING),
        nurses=of(Service.SCHOOL_NURSING),
        voluntary=[
            (u, _VOLUNTARY_FROM_AGE.get(t.name, 0))
            for t in by_service.get(Service.VOLUNTARY, [])
            for u in workers[t.pk]
        ],
        dsls={
            t.pk: workers[t.pk][0]
            for t in by_service.get(Service.SCHOOL_SAFEGUARDING, [])
            if workers[t.pk]
        },
        system=system,
        brokers=brokers,
        by_username=demo,
        made=len(new),
    )


def _names() -> Iterator[tuple[str, str]]:
    """Every given and family name together, in an order fixed whatever the seed (and
    round again, should a borough need more people than there are pairs)."""
    pairs = [(g, f) for g in _GIVEN for f in _FAMILY]
    random.Random("early-help-workforce").shuffle(pairs)
    while True:
        yield from pairs


def _system_account(team: Team) -> User:
    """The council's early help system (EHM), as an agency system account."""
    account = User.objects.filter(username=SYSTEM_USERNAME).select_related("team__agency").first()
    if account is None:
        title = "Early help module (EHM) interface"
        account = User(
            username=SYSTEM_USERNAME,
            first_name=title,
            team=team,
            job_title=title,
            is_system_account=True,
            is_demo_account=True,
        )
        account.set_unusable_password()
        account.save()
    return account


# ----- the children -------------------------------------------------------------------


@dataclass
class _Kid:
    id: Any
    given_name: str
    born: date
    school: int | None = None
    school_since: date | None = None
    visited: bool = False
    #: The health visitor named on the child's health visiting involvement.
    visitor: int | None = None

    def age_on(self, day: date) -> float:
        return (day - self.born).days / 365.25


@dataclass
class _Kids:
    by_id: dict[Any, _Kid]
    #: Who a practitioner may ask for: no lead professional, early help, plan or
    #: leaving care on the register, and no MASH case open.
    pool: list[_Kid]
    #: Who the MASH's decision may open early help for (an open case aside).
    mash_may: set[Any]


def _kids(as_of: date) -> _Kids:
    born_after = as_of - timedelta(days=round(18 * 365.25))
    children = Person.objects.filter(date_of_birth__gt=born_after, date_of_birth__lte=as_of)
    kids = {
        pk: _Kid(pk, given, born)
        for pk, given, born in children.order_by("pk").values_list(
            "pk", "given_name", "date_of_birth"
        )
        if born is not None
    }
    current = Involvement.objects.current().filter(person__in=children)
    for person_id, team_id, started in (
        current.filter(capacity=Capacity.SCHOOL)
        .order_by("started_on", "pk")
        .values_list("person_id", "team_id", "started_on")
    ):
        kids[person_id].school, kids[person_id].school_since = team_id, started
    for person_id, practitioner_id in current.filter(capacity=Capacity.HEALTH_VISITING).values_list(
        "person_id", "practitioner_id"
    ):
        kids[person_id].visited = True
        kids[person_id].visitor = kids[person_id].visitor or practitioner_id
    # The services refuse another lead for a child the register gives one, and early
    # help is not for a child on a plan, leaving care or already in early help.
    refused = set(
        current.filter(is_lead_professional=True).values_list("person_id", flat=True)
    ) | set(
        current.filter(
            capacity__in=(
                Capacity.EARLY_HELP,
                Capacity.CHILD_IN_NEED,
                Capacity.CHILD_PROTECTION,
                Capacity.LOOKED_AFTER,
                Capacity.LEAVING_CARE,
            )
        ).values_list("person_id", flat=True)
    )
    busy = set(MashCase.objects.filter(state__in=OPEN_STATES).values_list("person_id", flat=True))
    return _Kids(
        by_id=kids,
        pool=[k for pk, k in kids.items() if pk not in refused and pk not in busy],
        mash_may={pk for pk in kids if pk not in refused},
    )


# ----- what practitioners write -------------------------------------------------------

BABY, CHILD, TEENAGER = "baby", "child", "teenager"
_ALL = frozenset({BABY, CHILD, TEENAGER})
_YOUNG = frozenset({BABY, CHILD})
_SCHOOL_AGE = frozenset({CHILD, TEENAGER})
_TEEN = frozenset({TEENAGER})
_REASONS: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    SCHOOL: (
        (
            "{name}'s attendance has fallen to 85% this term and mornings are chaos since"
            " dad left; mum asked the school for help with routines.",
            _SCHOOL_AGE,
        ),
        (
            "{name} comes to school hungry and tired most days; the family are behind with"
            " the rent and mum is frightened of the bailiffs.",
            _SCHOOL_AGE,
        ),
        (
            "{name} has been fighting at break and struggling with anger since grandad died;"
            " mum and dad want help as a family.",
            _SCHOOL_AGE,
        ),
        (
            "{name} is refusing to come to school and stays in their room; mum is worried"
            " about low mood and nights spent online.",
            _TEEN,
        ),
        (
            "{name} cares for mum, who has MS, and is missing lessons and homework; the"
            " family would like help at home and a young carers' break.",
            _TEEN,
        ),
    ),
    VISITING: (
        (
            "Mum is low since {name} was born and has no family nearby; she would like"
            " support with feeding, sleep and meeting other parents.",
            _YOUNG,
        ),
        (
            "{name} is not gaining weight as expected and the flat is overcrowded; mum and"
            " dad asked for help with money and housing.",
            _YOUNG,
        ),
        (
            "{name}'s speech is behind for their age and mum is struggling with tantrums;"
            " she asked for a parenting course and a nursery place.",
            _YOUNG,
        ),
    ),
    NURSING: (
        (
            "{name}'s asthma is poorly controlled and they miss school; mum is overwhelmed"
            " with appointments for three children.",
            _SCHOOL_AGE,
        ),
        (
            "{name} told the school nurse they feel anxious every morning and cannot sleep;"
            " the family would like help with worries and routines.",
            _SCHOOL_AGE,
        ),
        (
            "{name} has been scratching their arms and asked the school nurse for help; mum"
            " wants support for the whole family.",
            _TEEN,
        ),
    ),
    VOLUNTARY: (
        (
            "The food bank referred the family: mum is in debt and {name} has no winter"
            " coat or school uniform; mum asked for help with money and meals.",
            _ALL,
        ),
        (
            "Mum left a violent relationship and the family are in a refuge; {name} is"
            " unsettled and has nightmares, and mum wants help to start again.",
            _ALL,
        ),
        (
            "{name} looks after a younger brother and mum, who has depression, and would"
            " like a break and someone to talk to at school.",
            _SCHOOL_AGE,
        ),
    ),
    EARLY_HELP: (
        (
            "Mum came to the family hub for help: the family have just moved into temporary"
            " accommodation and {name} has no school or nursery place yet.",
            _ALL,
        ),
        (
            "Dad is bringing {name} up alone since mum went into hospital and asked the"
            " family hub for help with childcare and money.",
            _ALL,
        ),
        (
            "After a parenting course at the family hub, mum asked for help: {name}'s"
            " behaviour at home has got worse since the new baby came.",
            _YOUNG,
        ),
    ),
    SYSTEM: (
        (
            "Self-referral through the family hub's online form: mum wants help with"
            " {name}'s behaviour and with her own low mood.",
            _ALL,
        ),
        (
            "Stepped down from children's social care when the child in need plan closed;"
            " the family agreed to carry on with early help for {name}.",
            _ALL,
        ),
        (
            "Referred through the early help front door by the housing officer: the family"
            " face eviction and {name}'s parents are arguing a lot.",
            _ALL,
        ),
    ),
}
_DECLINES = (
    "My caseload is full until next month; the family hub has more room just now.",
    "I do not know this family well; the school sees them every day and knows them best.",
    "I am on leave for the next three weeks, so I could not start the family plan in time.",
    "The family are moving out of our area; the team near their new home should lead.",
    "I work only with the older brother; someone who knows the younger children should lead.",
)
_SHARING = (
    "Everything in the family plan, with the school, the health visitor and the GP.",
    "The assessment and the plan, with the professionals at team around the family meetings.",
    "What the plan needs, with the school and the family hub; nothing with the children's father.",
    "The assessment with the school and housing; not mum's health records.",
)
#: Why early help closes (in percent), and what the lead says of it.
_CLOSES: dict[str, tuple[int, tuple[str, ...]]] = {
    Closure.NEEDS_MET: (
        76,
        (
            "The family plan is complete: mornings are calm and attendance is back to 96%;"
            " the school and the GP carry on.",
            "Mum is managing well and the children are settled; stepped down to the"
            " universal services that know them.",
            "The family's debts are in a repayment plan and the flat is warm; they know the"
            " family hub's door is open.",
        ),
    ),
    Closure.CONSENT_WITHDRAWN: (
        15,
        (
            "Mum said the family no longer want early help and withdrew her agreement; the"
            " school will keep an eye and knows how to ask again.",
        ),
    ),
    Closure.MOVED_AWAY: (
        9,
        (
            "The family moved out of Northbrook; their new council's early help service"
            " was told and has the plan.",
        ),
    ),
}
_PARENTS = (
    RelationshipKind.MOTHER,
    RelationshipKind.FATHER,
    RelationshipKind.STEP_MOTHER,
    RelationshipKind.STEP_FATHER,
    RelationshipKind.CARER,
    RelationshipKind.GRANDPARENT,
)


def _band(kid: _Kid, day: date) -> str:
    years = kid.age_on(day)
    return BABY if years < 2 else CHILD if years < 11 else TEENAGER


def _who(user: User) -> str:
    """A practitioner as the early help services name them: "Erin Gallagher, Early help
    team (Northbrook Council)"."""
    return f"{user.get_full_name()}, {user.team.named}" if user.team else user.get_full_name()


def _day(moment: datetime) -> date:
    return moment.astimezone(workdays.UK).date()


def _after(moment: datetime, working_hours: float) -> datetime:
    """`working_hours` after `moment`, to the second, in working hours."""
    return workdays.due_by_working_hours(moment, max(working_hours, 0.01)).replace(microsecond=0)


# ----- one episode, planned -----------------------------------------------------------


@dataclass
class _Offer:
    """One request to lead, as it went (and, after `_Plan.settle`, as it stands)."""

    lead: User
    by: User
    on: datetime
    state: str = LeadState.OFFERED
    answered: datetime | None = None
    decline_reason: str = ""
    ended: datetime | None = None
    end_reason: str = ""
    #: Whose step changed it last (the service's `modified_by`).
    changed_by: User | None = None
    #: Who accepted it: the lead, or the early help system saying they had.
    accepted_by: User | None = None
    #: When the lead professional involvement ended, and why (a handover, a close).
    involvement_end: str = ""
    row: LeadRole | None = None
    involvement: Involvement | None = None


@dataclass
class _Plan:
    kid: _Kid
    route: str
    requester: User
    requested: datetime
    reason: str
    offers: list[_Offer] = field(default_factory=list)
    external_ref: str = ""
    #: Who recorded the family's agreement and when (at the request, or by the lead).
    consent_by: User | None = None
    consent_at: datetime | None = None
    escalated: datetime | None = None
    closed: datetime | None = None
    closed_by: User | None = None
    closure: str = ""
    close_reason: str = ""
    cases: list[int] = field(default_factory=list)
    row: Episode | None = None

    @property
    def due(self) -> datetime:
        return workdays.due_by_working_days(self.requested, settings.EARLY_HELP_LEAD_WORKING_DAYS)

    @property
    def opened(self) -> datetime | None:
        return next((o.answered for o in self.offers if o.state in _LED), None)

    @property
    def waiting_offer(self) -> _Offer | None:
        return next((o for o in self.offers if o.state == LeadState.OFFERED), None)

    @property
    def lead(self) -> _Offer | None:
        return next((o for o in self.offers if o.state == LeadState.ACCEPTED), None)

    @property
    def state(self) -> str:
        if self.closed is not None:
            return EpisodeState.CLOSED
        return EpisodeState.AWAITING_LEAD if self.opened is None else EpisodeState.OPEN

    def live_at(self, moment: datetime) -> bool:
        return self.requested <= moment and (self.closed is None or self.closed > moment)

    def settle(self, end: datetime, rng: random.Random) -> None:
        """What had happened by `end`: nothing later than it, and the clock's escalation
        of an episode still waiting for its lead at the end of its working days."""
        kept: list[_Offer] = []
        for offer in self.offers:
            if offer.on > end:
                break
            kept.append(offer)
            if offer.answered is not None and offer.answered > end:
                # Not yet answered: still asked.
                offer.state, offer.answered, offer.changed_by = LeadState.OFFERED, None, None
                offer.decline_reason = ""
                offer.ended, offer.end_reason, offer.involvement_end = None, "", ""
                break
            if offer.ended is not None and offer.ended > end:
                # Still leading.
                offer.state, offer.ended, offer.end_reason = LeadState.ACCEPTED, None, ""
                offer.changed_by, offer.involvement_end = offer.accepted_by, ""
            if offer.state == LeadState.OFFERED:
                break
        self.offers = kept
        if self.closed is not None and self.closed > end:
            self.closed, self.closed_by = None, None
            self.closure = self.close_reason = ""
        if self.consent_at is not None and self.consent_at > end:
            self.consent_by = self.consent_at = None
        due, opened = self.due, self.opened
        if due <= end and (opened is None or opened > due):
            self.escalated = due + timedelta(seconds=rng.randint(5, 90))


_LED = (LeadState.ACCEPTED, LeadState.ENDED)


class _Deck:
    """Outcomes dealt from shuffled quotas, a hundred at a time."""

    def __init__(self, rng: random.Random, quotas: dict[str, float], size: int = 100) -> None:
        self.rng, self.quotas, self.size = rng, quotas, size
        self.cards: list[str] = []

    def draw(self) -> str:
        if not self.cards:
            self.cards = _dealt(self.rng, self.quotas, self.size)
        return self.cards.pop()


def _dealt(rng: random.Random, quotas: dict[Any, float], n: int) -> list[Any]:
    """`n` outcomes in the quotas' shares (largest remainders), shuffled."""
    total = sum(quotas.values())
    exact = {k: share / total * n for k, share in quotas.items()}
    dealt = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - dealt[k], reverse=True)[
        : n - sum(dealt.values())
    ]:
        dealt[k] += 1
    outcomes = [k for k, m in dealt.items() for _ in range(m)]
    rng.shuffle(outcomes)
    return outcomes


# ----- the year -----------------------------------------------------------------------


class _Year:
    def __init__(self, *, kids: _Kids, staff: _Staff, end: datetime, rng: random.Random) -> None:
        self.kids, self.staff, self.end, self.rng = kids, staff, end, rng
        self.start = end - _YEAR
        self.plans: list[_Plan] = []
        #: Each child's latest episode: a child has one live episode at a time.
        self.latest: dict[Any, _Plan] = {}
        self.answers = _Deck(rng, ANSWERS)
        self.handovers = _Deck(rng, {"yes": HANDOVER_SHARE, "no": 1 - HANDOVER_SHARE})
        self.pools = {
            "all": kids.pool,
            "pupils": [k for k in kids.pool if k.school in staff.dsls] or kids.pool,
            "babies": [k for k in kids.pool if k.visited] or kids.pool,
        }
        self.system_refs = 0
        self.mash_without_episode = 0

    # ----- who knows the child, and who may lead

    def fits(self, kind: str, kid: _Kid, day: date) -> bool:
        if kid.born > day - timedelta(days=14) or kid.id in self.latest:
            return False
        age = kid.age_on(day)
        at_school = (
            kid.school in self.staff.dsls
            and kid.school_since is not None
            and kid.school_since <= day
        )
        if kind == SCHOOL:
            return at_school
        if kind == VISITING:
            return kid.visited and age < 5 and bool(self.staff.visitors)
        if kind == NURSING:
            return at_school and 5 <= age < 16 and bool(self.staff.nurses)
        if kind == VOLUNTARY:
            return any(age >= youngest for _, youngest in self.staff.voluntary)
        return bool(self.staff.early_help)

    def worker(
        self, kind: str, kid: _Kid, day: date, *, besides: Iterable[User] = ()
    ) -> User | None:
        """A practitioner of this kind of team who would work with the child."""
        staff, rng = self.staff, self.rng
        others = {u.pk for u in besides}
        if kind == SCHOOL:
            dsl = staff.dsls.get(kid.school or 0)
            return dsl if dsl is not None and dsl.pk not in others else None
        if kind == SYSTEM:
            return staff.system
        if kind == VISITING:
            named = next((u for u in staff.visitors if u.pk == kid.visitor), None)
            if named is not None and named.pk not in others:
                return named
            candidates = staff.visitors
        elif kind == NURSING:
            candidates = staff.nurses
        elif kind == VOLUNTARY:
            age = kid.age_on(day)
            candidates = [u for u, youngest in staff.voluntary if age >= youngest]
        else:
            candidates = staff.early_help
        candidates = [u for u in candidates if u.pk not in others]
        return rng.choice(candidates) if candidates else None

    def another_lead(self, kid: _Kid, day: date, besides: Iterable[User]) -> User | None:
        """Someone else asked to lead: the early help team most often; the child's
        school, health visitor or a voluntary sector worker otherwise."""
        kinds = [EARLY_HELP] * 6 + [SCHOOL] * 2 + [VISITING, VOLUNTARY]
        self.rng.shuffle(kinds)
        for kind in [*kinds, EARLY_HELP]:
            if kind in (SCHOOL, VISITING) and not self._knows(kind, kid, day):
                continue
            lead = self.worker(kind, kid, day, besides=besides)
            if lead is not None:
                return lead
        return None

    def _knows(self, kind: str, kid: _Kid, day: date) -> bool:
        if kind == SCHOOL:
            return kid.school in self.staff.dsls and (kid.school_since or day) <= day
        return kid.visited and kid.age_on(day) < 5

    # ----- the MASH's decisions

    def from_mash(self) -> None:
        """Each MASH case signed off with early help: the episode waiting for the lead
        it names, or the child's episode still live."""
        cases = list(
            MashCase.objects.filter(
                outcome=Outcome.EARLY_HELP,
                signed_off_on__isnull=False,
                signed_off_on__lte=self.end,
                lead_professional__isnull=False,
            )
            .order_by("signed_off_on", "pk")
            .values_list(
                "pk",
                "person_id",
                "signed_off_on",
                "signed_off_by_id",
                "lead_professional_id",
                "outcome_reason",
            )
        )
        users = User.objects.select_related("team__agency").in_bulk(
            {c[3] for c in cases} | {c[4] for c in cases}
        )
        for pk, person_id, signed_off, signer_id, lead_id, reason in cases:
            kid = self.kids.by_id.get(person_id)
            signer, lead = users.get(signer_id), users.get(lead_id)
            if (
                kid is None
                or person_id not in self.kids.mash_may
                or signer is None
                or signer.team is None
                or lead is None
                or lead.team is None
            ):
                self.mash_without_episode += 1
                continue
            assert signed_off is not None
            previous = self.latest.get(person_id)
            if previous is not None and previous.live_at(signed_off):
                previous.cases.append(pk)
                continue
            plan = _Plan(kid, Route.MASH, signer, signed_off, reason, cases=[pk])
            self.play(plan, lead, at_once=lead == signer)
            self.add(plan)

    # ----- practitioners and the early help system

    def from_practitioners(self, count: int) -> None:
        for asker, named in _dealt(self.rng, REQUESTS, count):
            if not self.request(asker, named):
                self.request(EARLY_HELP, SELF)

    def request(self, asker: str, named: str) -> bool:
        rng = self.rng
        moment = self._moment(asker)
        if moment is None:
            return False
        day = _day(moment)
        pool = self.pools[
            "pupils" if asker in (SCHOOL, NURSING) else "babies" if asker == VISITING else "all"
        ]
        if not pool:
            return False
        lead_kind = EARLY_HELP if named in (SELF, ACCEPTED) else named
        kid = next(
            (
                k
                for k in (rng.choice(pool) for _ in range(40))
                if self.fits(asker, k, day) and self.fits(lead_kind, k, day)
            ),
            None,
        )
        if kid is None:
            return False
        requester = self.worker(asker, kid, day)
        if requester is None or requester.team is None:
            return False
        if named == SELF:
            lead: User | None = requester
        elif named == ACCEPTED:
            lead = self.worker(EARLY_HELP, kid, day)
        else:
            lead = self.worker(named, kid, day, besides=[requester])
        if lead is None:
            return False
        route = Route.SYSTEM if asker == SYSTEM else Route.PRACTITIONER
        plan = _Plan(kid, route, requester, moment, self._reason(asker, kid, day))
        at_once = named in (SELF, ACCEPTED)
        if route == Route.SYSTEM:
            self.system_refs += 1
            plan.external_ref = f"EHM-{moment:%Y}-{self.system_refs:05d}"
        share = CONSENT_SYSTEM_SHARE if route == Route.SYSTEM else CONSENT_ASKED_SHARE
        if at_once or rng.random() < share:
            plan.consent_by, plan.consent_at = requester, moment
        self.play(plan, lead, at_once=at_once)
        self.add(plan)
        return True

    def _moment(self, asker: str) -> datetime | None:
        """When: a school's on a school day, everyone else's on a working day, in
        working hours."""
        since, until = _day(self.start), _day(self.end)
        pick = school_day if asker in (SCHOOL, NURSING) else working_day
        for _ in range(20):
            day = pick(self.rng, since, until)
            if day is None:
                continue
            moment = at_hours(day, self.rng.uniform(9, 17))
            if self.start <= moment <= self.end:
                return moment
        return None

    def _reason(self, asker: str, kid: _Kid, day: date) -> str:
        band = _band(kid, day)
        texts = [t for t, bands in _REASONS[asker] if band in bands] or [
            t for t, bands in _REASONS[EARLY_HELP] if band in bands
        ]
        return self.rng.choice(texts).format(name=kid.given_name)

    # ----- how it went

    def play(self, plan: _Plan, lead: User, *, at_once: bool) -> None:
        """The requests to lead, the answers, a handover perhaps, and the close, as they
        would have gone; `settle` then cuts them at the end of the year."""
        rng, kid = self.rng, plan.kid
        first = _Offer(lead=lead, by=plan.requester, on=plan.requested)
        plan.offers.append(first)
        due = plan.due
        allowed = workdays.working_hours_between(plan.requested, due)
        if at_once:
            # The early help system saying its lead has accepted accepts for them.
            self._accept(plan, first, plan.requested, by=plan.requester)
        else:
            answer = self.answers.draw()
            day = _day(plan.requested)
            other = self.another_lead(kid, day, besides=[lead, plan.requester])
            if answer in ("declined", "brokered") and other is None:
                answer = "prompt"
            if answer == "prompt":
                self._accept(plan, first, _after(plan.requested, allowed * rng.uniform(0.02, 0.9)))
            elif answer == "late":
                self._accept(plan, first, _after(due, rng.uniform(2, 30)))
            elif answer == "declined":
                assert other is not None
                said = _after(plan.requested, allowed * rng.uniform(0.02, 0.6))
                first.state, first.answered, first.changed_by = LeadState.DECLINED, said, lead
                first.decline_reason = rng.choice(_DECLINES)
                self._ask_again(plan, other, first.by, _after(said, rng.uniform(0.2, 6)), 20)
            else:
                assert other is not None
                asked = _after(due, rng.uniform(1, 10))
                first.state, first.answered = LeadState.WITHDRAWN, asked
                self._ask_again(plan, other, self.staff.broker or first.by, asked, 14)
        led = plan.offers[-1]
        assert led.answered is not None
        last = led.answered
        if self.handovers.draw() == "yes":
            asked = _after(last + timedelta(days=rng.uniform(20, 120)), rng.uniform(0.1, 7.9))
            new = self._handover_lead(kid, _day(asked), led.lead)
            if new is not None:
                handover = _Offer(lead=new, by=led.lead, on=asked)
                plan.offers.append(handover)
                taken = _after(asked, rng.uniform(2, 30))
                led.state, led.ended, led.changed_by = LeadState.ENDED, taken, new
                led.end_reason = f"Handed over to {new.get_full_name()}"
                led.involvement_end = f"Handed over the lead professional role to {_who(new)}"
                self._accept(plan, handover, taken)
                led, last = handover, taken
        days = min(max(rng.lognormvariate(math.log(PLAN_DAYS), 0.45), 40), 420)
        opened = plan.opened
        assert opened is not None
        closes = max(opened + timedelta(days=days), last + timedelta(days=14))
        plan.closed = _after(closes, rng.uniform(0.1, 7.9))
        plan.closed_by = led.lead
        plan.closure = rng.choices(list(_CLOSES), [w for w, _ in _CLOSES.values()])[0]
        plan.close_reason = rng.choice(_CLOSES[plan.closure][1])
        # As `episode_close` ends them: the lead's role, then their involvement.
        led.state, led.ended, led.changed_by = LeadState.ENDED, plan.closed, led.lead
        led.end_reason = "Early help closed"
        led.involvement_end = f"Early help closed: {Closure(plan.closure).label.lower()}"

    def _ask_again(self, plan: _Plan, lead: User, by: User, at: datetime, within: float) -> None:
        """Someone else asked to lead (`lead_offer`): by whoever asked before, or, for
        the early help system (which cannot), by the early help service's manager or the
        new lead themself (asking yourself is accepting)."""
        if by.is_system_account:
            by = self.staff.broker or lead
        again = _Offer(lead=lead, by=by, on=at)
        plan.offers.append(again)
        # Naming yourself is accepting, once the family's agreement is recorded.
        at_once = by == lead and plan.consent_at is not None and plan.consent_at <= at
        self._accept(plan, again, at if at_once else _after(at, self.rng.uniform(0.3, within)))

    def _accept(self, plan: _Plan, offer: _Offer, at: datetime, by: User | None = None) -> None:
        offer.state, offer.answered = LeadState.ACCEPTED, at
        offer.changed_by = offer.accepted_by = by or offer.lead
        if plan.consent_at is None:
            # Accepting needs the family's agreement, if nobody has recorded it yet.
            plan.consent_by, plan.consent_at = offer.lead, at

    def _handover_lead(self, kid: _Kid, day: date, lead: User) -> User | None:
        """To the child's school, health visitor or a voluntary worker from the early
        help team; to the early help team from anyone else."""
        assert lead.team is not None
        if lead.team.service != Service.EARLY_HELP:
            return self.worker(EARLY_HELP, kid, day, besides=[lead])
        for kind in (SCHOOL, VISITING, VOLUNTARY):
            if kind in (SCHOOL, VISITING) and not self._knows(kind, kid, day):
                continue
            new = self.worker(kind, kid, day, besides=[lead])
            if new is not None:
                return new
        return None

    def add(self, plan: _Plan) -> None:
        plan.settle(self.end, self.rng)
        self.plans.append(plan)
        self.latest[plan.kid.id] = plan

    # ----- the demo's story

    def demo_story(self) -> None:
        """What the demo's early help logins find, whatever the borough's size: a
        request to lead waiting for Erin, early help she leads, and early help waiting
        for a lead past its working days, escalated to Gwen."""
        demo = self.staff.by_username
        erin, dsl, visitor = demo.get(_DEMO_LEAD), demo.get(_DEMO_DSL), demo.get(_DEMO_VISITOR)
        end_day = _day(self.end)
        if erin is not None and not any(
            (p.waiting_offer and p.waiting_offer.lead == erin) for p in self.plans
        ):
            # This morning, a school's safeguarding lead asked Erin to lead.
            asker = dsl or next(iter(self.staff.dsls.values()), None)
            moment = working_moment(time(10, 20), not_after=self.end)
            kid = self._first_free(SCHOOL, _day(moment), asker)
            if asker is not None and kid is not None:
                self._story(kid, asker, erin, moment, consent=True)
        if not any(p.escalated and p.opened is None for p in self.plans):
            # Seven working days ago, a health visitor asked a voluntary sector worker,
            # who has not answered.
            day = end_day
            for _ in range(7):
                day -= timedelta(days=1)
                while not workdays.is_working_day(day):
                    day -= timedelta(days=1)
            moment = datetime.combine(day, time(11, 5), tzinfo=workdays.UK)
            asker = visitor or next(iter(self.staff.visitors), None)
            kid = self._first_free(VISITING, day, asker)
            if kid is None:
                asker = dsl or next(iter(self.staff.dsls.values()), None)
                kid = self._first_free(SCHOOL, day, asker)
            if asker is not None and kid is not None:
                lead = self.worker(VOLUNTARY, kid, day, besides=[asker]) or self.worker(
                    EARLY_HELP, kid, day, besides=[asker]
                )
                if lead is not None:
                    self._story(kid, asker, lead, moment, consent=False)
        if erin is not None and not any(p.lead and p.lead.lead == erin for p in self.plans):
            # A month ago, a family came to Erin at the family hub.
            moment = working_moment(time(14, 30), not_after=self.end - timedelta(days=30))
            kid = self._first_free(EARLY_HELP, _day(moment), erin)
            if kid is not None:
                plan = _Plan(
                    kid,
                    Route.PRACTITIONER,
                    erin,
                    moment,
                    self._reason(EARLY_HELP, kid, _day(moment)),
                )
                plan.consent_by, plan.consent_at = erin, moment
                first = _Offer(lead=erin, by=erin, on=moment)
                plan.offers.append(first)
                self._accept(plan, first, moment)
                self.add(plan)

    def _first_free(self, kind: str, day: date, asker: User | None) -> _Kid | None:
        if asker is None:
            return None
        for kid in sorted(self.kids.pool, key=lambda k: str(k.id)):
            if not self.fits(kind, kid, day):
                continue
            if kind == SCHOOL and kid.school != asker.team_id:
                continue
            if kind == VISITING and kid.visitor not in (None, asker.pk):
                continue
            return kid
        return None

    def _story(
        self, kid: _Kid, asker: User, lead: User, moment: datetime, *, consent: bool
    ) -> None:
        """A request to lead not yet answered."""
        kind = (
            SCHOOL if asker.team and asker.team.service == Service.SCHOOL_SAFEGUARDING else VISITING
        )
        plan = _Plan(kid, Route.PRACTITIONER, asker, moment, self._reason(kind, kid, _day(moment)))
        if consent:
            plan.consent_by, plan.consent_at = asker, moment
        plan.offers.append(_Offer(lead=lead, by=asker, on=moment))
        self.add(plan)

    # ----- writing it all

    def write(self) -> dict[str, int]:
        plans = sorted(self.plans, key=lambda p: (p.requested, str(p.kid.id)))
        persons = Person.objects.in_bulk([p.kid.id for p in plans])
        parents = _parents([p.kid.id for p in plans if p.consent_at is not None])
        for plan in plans:
            plan.row = self._episode(plan, parents, persons[plan.kid.id])
        _store(Episode, [p.row for p in plans if p.row is not None])
        involvements = []
        for plan in plans:
            for offer in plan.offers:
                if offer.state in _LED:
                    offer.involvement = _involvement(plan, offer)
                    involvements.append(offer.involvement)
        _store(Involvement, involvements)
        roles = []
        for plan in plans:
            for offer in plan.offers:
                offer.row = _role(plan, offer)
                roles.append(offer.row)
        _store(LeadRole, roles)
        self._mash_cases_link(plans)
        events = history_store(self._chronology(plans, persons))
        alerts = _store(Alert, _once(self._alerts(plans, persons)))
        waiting = [p for p in plans if p.state == EpisodeState.AWAITING_LEAD]
        accepted = [o for p in plans for o in p.offers if o.state in _LED]
        return {
            "episodes": len(plans),
            "from_mash": sum(p.route == Route.MASH for p in plans),
            "from_practitioners": sum(p.route == Route.PRACTITIONER for p in plans),
            "from_system": sum(p.route == Route.SYSTEM for p in plans),
            "open": sum(p.state == EpisodeState.OPEN for p in plans),
            "waiting": len(waiting),
            "escalated_waiting": sum(p.escalated is not None for p in waiting),
            "closed": sum(p.state == EpisodeState.CLOSED for p in plans),
            "leads_accepted": len(accepted),
            "accepted_late": sum(p.opened is not None and p.opened > p.due for p in plans),
            "declined": sum(o.state == LeadState.DECLINED for p in plans for o in p.offers),
            "withdrawn": sum(o.state == LeadState.WITHDRAWN for p in plans for o in p.offers),
            "handovers": sum(
                o.end_reason.startswith("Handed over") for p in plans for o in p.offers
            ),
            "involvements": len(involvements),
            "alerts": len(alerts),
            "chronology_events": events,
            "mash_without_episode": self.mash_without_episode,
        }

    def _episode(self, plan: _Plan, parents: dict[Any, str], person: Person) -> Episode:
        rng = self.rng
        team = plan.requester.team
        assert team is not None
        consent: dict[str, Any] = {}
        if plan.consent_at is not None and plan.consent_by is not None:
            recorded = _day(plan.consent_at)
            given = max(recorded - timedelta(days=rng.randint(0, 5)), plan.kid.born)
            consent = {
                "consent_given_on": given,
                "consent_given_by": parents.get(plan.kid.id)
                or f"{rng.choice(_GIVEN)} {person.family_name}, parent",
                "consent_to_share": rng.choice(_SHARING),
                "consent_recorded_by": plan.consent_by,
            }
        opened = plan.opened
        opener = next((o.accepted_by for o in plan.offers if o.state in _LED), None)
        return Episode(
            person_id=plan.kid.id,
            state=plan.state,
            route=plan.route,
            requested_by=plan.requester,
            requesting_team=team,
            requested_on=plan.requested,
            opened_on=opened,
            reason=plan.reason,
            external_ref=plan.external_ref,
            lead_escalated_on=plan.escalated,
            closed_on=plan.closed,
            closed_by=plan.closed_by,
            closure=plan.closure,
            close_reason=plan.close_reason,
            created_on=plan.requested,
            created_by=plan.requester,
            modified_by=plan.closed_by or opener,
            **consent,
        )

    def _mash_cases_link(self, plans: list[_Plan]) -> None:
        cases = []
        for plan in plans:
            for pk in plan.cases:
                case = MashCase(pk=pk)
                case.early_help_episode = plan.row
                cases.append(case)
        MashCase.objects.bulk_update(cases, ["early_help_episode"], batch_size=BATCH)

    def _chronology(
        self, plans: list[_Plan], persons: dict[Any, Person]
    ) -> Iterator[ChronologyEvent]:
        """Each episode's entries on the child's chronology, in the words of
        `earlyhelp.services`, and its leads' involvements starting and ending, as the
        chronology writes them for every involvement."""
        for plan in plans:
            episode = plan.row
            assert episode is not None
            person = persons[plan.kid.id]
            asker = plan.requester
            first = plan.offers[0].lead
            # The family's needs stay on the episode: the chronology says who and when.
            if plan.route == Route.MASH:
                asked = f"The MASH decided on early help; {_who(first)} asked to lead."
            else:
                asked = f"Early help asked for by {_who(asker)}; {_who(first)} asked to lead."
            yield _entry(episode, person, asked, plan.requested, asker, "requested")
            before: _Offer | None = None
            for offer in plan.offers:
                if offer.state not in _LED:
                    continue
                assert offer.answered is not None and offer.row is not None
                yield _entry(
                    episode,
                    person,
                    f"Early help opened: {_who(offer.lead)} is the lead professional."
                    if before is None
                    else f"{_who(offer.lead)} took over as the lead professional from"
                    f" {before.lead.get_full_name()}.",
                    offer.answered,
                    offer.accepted_by or offer.lead,
                    f"lead-{offer.row.pk}",
                )
                yield from _involvement_entries(offer)
                before = offer
            if plan.closed is not None and plan.closed_by is not None:
                yield _entry(
                    episode,
                    person,
                    f"Early help closed by {_who(plan.closed_by)}:"
                    f" {Closure(plan.closure).label.lower()}.",
                    plan.closed,
                    plan.closed_by,
                    "closed",
                )

    def _alerts(self, plans: list[_Plan], persons: dict[Any, Person]) -> Iterator[Alert]:
        """The alerts the services write at each step, delivered; read when their
        reader acted on them, and unread while the step they ask for waits."""
        rng, end = self.rng, self.end
        days = settings.EARLY_HELP_LEAD_WORKING_DAYS

        def alert(
            created: datetime, read: datetime | None, reader: User | None, **fields: Any
        ) -> Alert:
            delivered = min(created + timedelta(seconds=rng.randint(5, 90)), end)
            if read is not None and (read > end or read < delivered):
                read = None if read > end else delivered
            return Alert(
                created_on=created,
                delivered_on=delivered,
                read_on=read,
                read_by=reader if read is not None else None,
                **fields,
            )

        for plan in plans:
            episode = plan.row
            assert episode is not None
            person = persons[plan.kid.id]
            link = episode_link(episode)
            before: _Offer | None = None
            for n, offer in enumerate(plan.offers):
                role = offer.row
                assert role is not None and offer.lead.team is not None
                if offer.lead != offer.by:
                    yield alert(
                        offer.on,
                        offer.answered,
                        offer.lead,
                        kind=AlertKind.EARLY_HELP_LEAD_ASKED,
                        key=f"early-help:{episode.pk}:asked-{role.pk}",
                        team=offer.lead.team,
                        user=offer.lead,
                        person=person,
                        link=link,
                        title=f"Will you lead early help for {person.full_name}?",
                        body=f"{_who(offer.by)} asks you to be the lead professional for"
                        f" {person.given_name}'s early help. Accept or decline it in TellOnce:"
                        " early help opens only when its lead accepts.",
                    )
                if offer.state in _LED:
                    assert offer.answered is not None
                    told = {offer.lead.pk, (offer.accepted_by or offer.lead).pk}
                    for who in (before.lead if before else None, plan.requester):
                        if who is None or who.pk in told or who.team is None:
                            continue
                        if who.is_system_account:
                            continue
                        told.add(who.pk)
                        yield alert(
                            offer.answered,
                            _after(offer.answered, rng.uniform(0.2, 6)),
                            who,
                            kind=AlertKind.EARLY_HELP_LEAD_ANSWERED,
                            key=f"early-help:{episode.pk}:accepted-{role.pk}",
                            team=who.team,
                            user=who,
                            person=person,
                            link=link,
                            title=f"{offer.lead.get_full_name()} now leads early help for"
                            f" {person.full_name}",
                            body=f"{_who(offer.lead)} accepted the lead professional role for"
                            f" {person.given_name}'s early help.",
                        )
                    before = offer
                elif offer.state == LeadState.DECLINED:
                    assert offer.answered is not None
                    asker = offer.by
                    if (
                        asker.team is not None
                        and not asker.is_system_account
                        and asker != offer.lead
                    ):
                        following = plan.offers[n + 1] if n + 1 < len(plan.offers) else None
                        yield alert(
                            offer.answered,
                            following.on if following else None,
                            asker,
                            kind=AlertKind.EARLY_HELP_LEAD_ANSWERED,
                            key=f"early-help:{episode.pk}:declined-{role.pk}",
                            team=asker.team,
                            user=asker,
                            person=person,
                            link=link,
                            title=f"{offer.lead.get_full_name()} cannot lead early help for"
                            f" {person.full_name}",
                            body=f"{_who(offer.lead)} declined: {offer.decline_reason}\nName"
                            " another lead professional in TellOnce.",
                        )
            if plan.escalated is None:
                continue
            # The clock's escalation: the early help service's managers find a lead.
            acted = [o.on for o in plan.offers[1:] if o.on > plan.escalated]
            stopped = min([*acted, plan.opened] if plan.opened else acted, default=None)
            for team, managers in self.staff.brokers or [(episode.requesting_team, [])]:
                readers: list[User | None] = [*managers] or [None]
                for manager in readers:
                    yield alert(
                        plan.escalated,
                        stopped,
                        manager,
                        kind=AlertKind.EARLY_HELP_NO_LEAD,
                        key=f"early-help:{episode.pk}:no-lead",
                        team=manager.team if manager is not None and manager.team else team,
                        user=manager,
                        person=person,
                        link=link,
                        title=f"Early help for {person.full_name} has no lead after {days}"
                        " working days",
                        body=f"Early help was asked for by {_who(plan.requester)} and no"
                        " lead professional has accepted. Find one and ask them in TellOnce.",
                    )


def _entry(
    episode: Episode, person: Person, summary: str, moment: datetime, by: User, ref: str
) -> ChronologyEvent:
    """An early help entry on the child's chronology, as `earlyhelp.services` writes it:
    the work of whoever took the step."""
    assert by.team is not None
    return chronology_entry(
        kind=EventKind.EARLY_HELP,
        person=person,
        moment=moment,
        summary=summary,
        agency=by.team.agency,
        recorder=by,
        reference=f"early-help-{episode.pk}-{ref}",
    )


def _involvement(plan: _Plan, offer: _Offer) -> Involvement:
    """The lead professional involvement `involvement_start` gives an accepted lead."""
    lead, at = offer.lead, offer.answered
    assert lead.team is not None and at is not None
    ended = _day(offer.ended) if offer.ended else None
    return Involvement(
        person_id=plan.kid.id,
        team=lead.team,
        practitioner=lead,
        capacity=Capacity.EARLY_HELP,
        started_on=_day(at),
        ended_on=ended,
        end_reason=offer.involvement_end if ended else "",
        is_lead_professional=True,
        confirmation=Confirmation.TELLONCE,
        source_agency=lead.team.agency,
        source_system=TELLONCE_SYSTEM,
        received_on=at,
        recorded_by=offer.accepted_by or lead,
        created_on=at,
        created_by=offer.accepted_by or lead,
        modified_by=offer.changed_by if ended else None,
    )


def _role(plan: _Plan, offer: _Offer) -> LeadRole:
    assert offer.lead.team is not None
    return LeadRole(
        episode=plan.row,
        practitioner=offer.lead,
        team=offer.lead.team,
        state=offer.state,
        offered_on=offer.on,
        offered_by=offer.by,
        answered_on=offer.answered,
        decline_reason=offer.decline_reason,
        ended_on=offer.ended,
        end_reason=offer.end_reason,
        involvement=offer.involvement,
        created_on=offer.on,
        created_by=offer.by,
        modified_by=offer.changed_by,
    )


def _involvement_entries(offer: _Offer) -> Iterator[ChronologyEvent]:
    """The chronology's entries for a lead's involvement starting and ending, as
    `chronology.services.involvement_entries_write` writes them."""
    involvement = offer.involvement
    assert involvement is not None and offer.lead.team is not None
    team = offer.lead.team
    shared = {
        "person_id": involvement.person_id,
        "involvement": involvement,
        "source_agency_id": involvement.source_agency_id,
        "source_system": involvement.source_system,
        "recorded_by": involvement.recorded_by,
        "recorded_by_name": "",
    }
    yield ChronologyEvent(
        kind=EventKind.INVOLVEMENT_STARTED,
        occurred_on=involvement.started_on,
        summary=f"{team.named} started working with them in"
        f" {involvement.capacity_in_sentence}; worker {offer.lead.get_full_name()}",
        **shared,
    )
    if involvement.ended_on is not None:
        yield ChronologyEvent(
            kind=EventKind.INVOLVEMENT_ENDED,
            occurred_on=involvement.ended_on,
            summary=f"{team.named} stopped working with them in"
            f" {involvement.capacity_in_sentence}: {involvement.end_reason}",
            **shared,
        )


def _parents(kid_ids: list[Any]) -> dict[Any, str]:
    """Who gives a child's family's agreement: a parent with parental responsibility
    ("Amina Taylor, mother"), where the borough knows one."""
    found: dict[Any, tuple[int, str]] = {}
    rank: dict[str, int] = {kind: n for n, kind in enumerate(_PARENTS)}
    for start in range(0, len(kid_ids), 500):
        for child, kind, given, family in Relationship.objects.filter(
            relative_id__in=kid_ids[start : start + 500],
            kind__in=_PARENTS,
            has_parental_responsibility=True,
        ).values_list("relative_id", "kind", "person__given_name", "person__family_name"):
            label = RelationshipKind(kind).label.lower()
            if child not in found or rank[kind] < found[child][0]:
                found[child] = (rank[kind], f"{given} {family}, {label}")
    return {child: text for child, (_, text) in found.items()}


def _once(alerts: Iterable[Alert]) -> Iterator[Alert]:
    """As `alerts_write` stores them: one alert for the same kind, key and team."""
    seen: set[tuple[str, str, int]] = set()
    for alert in alerts:
        key = (alert.kind, alert.key, alert.team_id)
        if key not in seen:
            seen.add(key)
            yield alert


def _store(model: type[_M], rows: Iterable[_M]) -> list[_M]:
    """Insert the rows as plain INSERTs (`core.bulk`: a tenth of `bulk_create`'s cost a
    row), each given the next id first, so that the rows written after it point at it."""
    rows = list(rows)
    if not rows:
        return rows
    top = model._base_manager.aggregate(top=Max("pk"))["top"]
    for n, row in enumerate(rows, start=int(top or 0) + 1):
        row.pk = n
    # The modified stamp is the moment of the seed, as `auto_now` would make it.
    columns = [f.attname for f in model._meta.concrete_fields if f.attname != "modified_on"]
    rows_insert(
        model._meta.label,
        columns,
        [tuple(getattr(row, name) for name in columns) for row in rows],
        stamp=timezone.now(),
    )
    sequences_reset([model._meta.label])
    return rows
