"""A year at the MASH's front door, made up: `mash_history_seed()` and
`demo_contact_make()`.

`mash_history_seed()` loads the contacts a borough's MASH received in the twelve months
before a day, about children the seed made: who made each contact (England's mix of
referral sources) and when (professionals in office hours on working days, the police,
A&E and the public at any hour), about a child they would know (a school's pupil, a
health visitor's under-five, a youth worker's teenager), what they said (short
templates for the child's age, nothing real; the child's words varied), and each child's
case from receipt through screening and requests for information to an outcome signed
off by a manager, with England's shares of outcomes and of re-referrals, and referrals
closed with their DfE reason. Contacts of the last two working days are still being
worked on. Every row goes in with `bulk_create`, so a year of a large borough (20,000
contacts, 21,500 cases, 120,000 transitions) takes about 20 s on two cores, SQLite or
PostgreSQL: historic cases tell no one (no involvement or alert), but each contact and
each decision signed off is on the child's chronology as the MASH's services write
them, and a case still open has its MASH enquiry on the involvement register, as
`services.contact_make` gives it, so that the MASH can open the child's record.

`demo_contact_make()` makes one contact the way a school's safeguarding lead does,
through `services.contact_make`, for the demo's story: a pupil whose baby brother or
sister has a health visitor, so that a strategy discussion proposes the school and the
health visitor.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from tellonce.accounts.models import User, UserRole
from tellonce.audit.services import COMMAND_LINE
from tellonce.borough.chronologies import history_store
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.chronology.services import chronology_entry
from tellonce.core import workdays
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.mash import rules, services
from tellonce.mash.models import (
    OPEN_STATES,
    REFERRAL_OUTCOMES,
    CaseTransition,
    Channel,
    ClosureReason,
    Consent,
    Contact,
    ContactChild,
    InformationRequest,
    MashCase,
    Outcome,
    Rag,
    ReferralSource,
    State,
)
from tellonce.organisations.models import MASH_ROLES, Agency, AgencyKind, Role, Service, Team
from tellonce.people.models import HouseholdMember, Person

#: The demo's contacts a year, for the default borough of 57,000 children: about a
#: quarter of a real borough's, enough to fill the queue and the history without
#: slowing the seed. `tellonce seed --mash-contacts` asks for more.
DEMO_CONTACTS = 2_000
DEMO_CHILDREN = 57_000
#: England: about one referral in five follows another within twelve months.
RE_REFERRAL_SHARE = 0.22
DUPLICATE_SHARE = 0.03
#: Contacts about two children, and about three (siblings in one household).
SIBLINGS_SHARE = {2: 0.10, 3: 0.03}
#: A share of contacts are about a child the MASH has heard about this year already.
REPEAT_SHARE = 0.12
REPEATS_AT_MOST = 4
#: Of the decisions that would be late, the share made in time with what is known.
ON_TIME_SHARE = 0.8
OPEN_WORKING_DAYS = 2
#: A professional's working day, when they make contacts.
OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 30)
BATCH = 2_000
COUNTS = (
    "contacts",
    "children",
    "cases",
    "open_cases",
    "duplicates",
    "referrals",
    "re_referrals",
    "transitions",
    "information_requests",
    "involvements",
    "chronology_events",
)

_YEAR = timedelta(days=365)
_M = TypeVar("_M", bound=Model)


def demo_contacts(children: int) -> int:
    """The demo's default number of contacts, scaled to the borough's size."""
    return round(DEMO_CONTACTS * children / DEMO_CHILDREN)


# ----- what contacts say ------------------------------------------------------------


#: Age bands: under 2, 2 to 10, 11 to 17 (`_age_band`).
BABY, CHILD, TEENAGER = "baby", "child", "teenager"
_ANY_AGE = frozenset({BABY, CHILD, TEENAGER})
_SCHOOL_AGE = frozenset({CHILD, TEENAGER})
_YOUNG = frozenset({BABY, CHILD})
_TEEN = frozenset({TEENAGER})
_BABIES = frozenset({BABY})


@dataclass(frozen=True)
class _Source:
    code: str
    #: Percent of contacts (DfE Children in Need census, England, about 2024).
    weight: float
    #: Which words, which agency and which children: see `_CONCERNS` and `_agency`.
    kind: str
    role: str
    #: The children this referrer meets, by age band.
    ages: frozenset[str] = _ANY_AGE
    #: A professional at work makes contact in office hours on a working day; the
    #: police, A&E and the public at any hour.
    office: bool = True


_SOURCES = (
    _Source(ReferralSource.POLICE, 30, "police", "Police constable", office=False),
    _Source(ReferralSource.SCHOOLS, 18, "school", "Designated safeguarding lead", _SCHOOL_AGE),
    _Source(ReferralSource.EDUCATION, 2, "education", "Education welfare officer", _SCHOOL_AGE),
    _Source(ReferralSource.GP, 2.5, "gp", "GP"),
    _Source(ReferralSource.HEALTH_VISITOR, 2.5, "health_visitor", "Health visitor", _YOUNG),
    _Source(ReferralSource.SCHOOL_NURSE, 1, "school_nurse", "School nurse", _SCHOOL_AGE),
    _Source(ReferralSource.PRIMARY_HEALTH, 1, "health", "Community children's nurse"),
    _Source(
        ReferralSource.EMERGENCY_DEPARTMENT,
        3,
        "hospital",
        "Emergency department nurse",
        office=False,
    ),
    _Source(ReferralSource.HEALTH_OTHER, 5, "health", "Community mental health nurse"),
    _Source(ReferralSource.SOCIAL_CARE, 3, "adult_social_care", "Adult social care worker"),
    _Source(ReferralSource.LA_INTERNAL, 3, "youth_work", "Youth worker", _TEEN),
    _Source(ReferralSource.LA_EXTERNAL, 2, "other_la", "Social worker, another council"),
    _Source(ReferralSource.EARLY_HELP, 2, "early_help", "Family support worker"),
    _Source(ReferralSource.FAMILY, 3.5, "family", "Grandparent", office=False),
    _Source(ReferralSource.ACQUAINTANCE, 1.5, "neighbour", "Neighbour", office=False),
    _Source(ReferralSource.SELF, 0.5, "self", "Young person", _TEEN, office=False),
    _Source(ReferralSource.INDIVIDUAL_OTHER, 1.5, "public", "Member of the public", office=False),
    _Source(ReferralSource.HOUSING, 2, "housing", "Housing officer"),
    _Source(ReferralSource.LEGAL, 2, "legal", "Probation officer"),
    _Source(ReferralSource.OTHER, 10, "voluntary", "Project worker"),
    _Source(ReferralSource.ANONYMOUS, 3, "anonymous", "", office=False),
    _Source(ReferralSource.UNKNOWN, 1, "unknown", "", office=False),
)
#: Which children each kind of referrer knows: pupils, babies, teenagers, or any child.
_POOL_OF_KIND = {
    "school": "pupils",
    "education": "pupils",
    "school_nurse": "pupils",
    "health_visitor": "babies",
    "youth_work": "teenagers",
    "self": "teenagers",
}
#: Kinds of referrer who know the child as a pupil of a school.
_AT_SCHOOL = frozenset({"school", "education", "school_nurse"})

#: What each kind of referrer says, and about children of which age bands.
_CONCERNS: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    "police": (
        (
            "Police were called at night to a domestic incident between the adults at {name}'s"
            " home. {name} was in the house and heard the shouting; the DASH risk assessment"
            " was medium.",
            _ANY_AGE,
        ),
        (
            "Officers found {name} out alone after midnight near the station with older young"
            " people known to police. {name} gave a false name at first.",
            _TEEN,
        ),
        (
            "Officers attending a report of shouting found the home very dirty with little"
            " food in it, and {name} unwashed and in a nappy that had not been changed.",
            _BABIES,
        ),
        (
            "Officers called to a report of a child alone found {name} in the flat with no"
            " adult present at 22:00; mum came back an hour later and had been drinking.",
            frozenset({CHILD}),
        ),
    ),
    "school": (
        (
            "{name} came into school with a bruise on the arm and said it happened at home,"
            " then would not say more. Attendance has fallen to 82% this term.",
            _SCHOOL_AGE,
        ),
        (
            "{name} has arrived hungry and in the same clothes all week and fell asleep in"
            " lessons. A parent was seen drunk at the school gate on Friday.",
            _SCHOOL_AGE,
        ),
        (
            "{name} told a teaching assistant that mum's partner shouts and throws things,"
            " and that {name} hides in the bedroom when it happens.",
            _SCHOOL_AGE,
        ),
        (
            "{name} has been collected late four times this half-term, once by an adult the"
            " school did not know who smelled of cannabis.",
            frozenset({CHILD}),
        ),
        (
            "{name} has been seen getting into a car with older men at the end of the day and"
            " has a new phone the family cannot explain.",
            _TEEN,
        ),
    ),
    "education": (
        (
            "{name} has been missing from education for four weeks; the family have not"
            " answered calls, letters or two home visits.",
            _SCHOOL_AGE,
        ),
    ),
    "gp": (
        (
            "At an appointment mum said her mood is very low and she is struggling to cope"
            " with {name}; {name} has missed two immunisations and a hospital follow-up.",
            _YOUNG,
        ),
        (
            "{name} came to the surgery alone with cuts to the forearm and asked us not to"
            " tell the parents; {name} said things at home are 'unbearable'.",
            _TEEN,
        ),
    ),
    "health_visitor": (
        (
            "On a home visit the flat was cold and cluttered and mum said her partner"
            " controls the money. {name} is feeding but missed the six-to-eight-week check.",
            _BABIES,
        ),
        (
            "Mum told me her partner hit her while she was holding {name}. She does not want"
            " the police involved and is frightened of what he will do.",
            _BABIES,
        ),
        (
            "{name}'s speech is well behind for a two-year-old, the family have missed three"
            " appointments, and on the last visit {name} was alone in a room with the door"
            " tied shut.",
            frozenset({CHILD}),
        ),
    ),
    "school_nurse": (
        (
            "{name} told the school nurse about cutting (marks on the forearm) and feeling"
            " that no one at home listens or would notice.",
            _TEEN,
        ),
        (
            "{name} told the school nurse about toothache for weeks and being hungry at"
            " weekends; the dentist appointments were never kept.",
            frozenset({CHILD}),
        ),
    ),
    "hospital": (
        (
            "{name} came to the emergency department with an injury that the account given"
            " does not explain; it is the second attendance in three months.",
            _ANY_AGE,
        ),
        (
            "{name} was brought to A&E drunk after being found in a park late at night with"
            " an adult who left before staff could speak to them.",
            _TEEN,
        ),
        (
            "{name}, not yet crawling, was brought in with a bruise to the ear; the parents"
            " gave different accounts of how it happened.",
            _BABIES,
        ),
    ),
    "health": (
        (
            "Mum is under the community mental health team and has stopped her medication;"
            " she told her nurse she cannot keep {name} safe at the moment.",
            _ANY_AGE,
        ),
    ),
    "youth_work": (
        (
            "A youth worker is worried that {name} has new clothes and phones, is missing"
            " sessions, and has been seen with adults not known to the family.",
            _TEEN,
        ),
    ),
    "adult_social_care": (
        (
            "Mum's adult social care worker says her drinking has increased and {name} is"
            " doing most of the caring at home, including at night.",
            _SCHOOL_AGE,
        ),
        (
            "Mum's adult social care worker found {name} hungry and in a soiled cot at a"
            " visit at noon; mum had not got up that day.",
            _BABIES,
        ),
    ),
    "other_la": (
        (
            "The family moved into the borough from another council, where {name} was on a"
            " child in need plan that closed when they left; the concerns have not gone.",
            _ANY_AGE,
        ),
    ),
    "early_help": (
        (
            "The family have stopped working with the early help plan; at the last visit"
            " there was no food in the house and {name} had untreated eczema and head lice.",
            _SCHOOL_AGE,
        ),
        (
            "The family have stopped working with the early help plan; {name} has lost weight"
            " since the last health check and mum says she is too tired to cook.",
            _YOUNG,
        ),
    ),
    "family": (
        (
            "{name}'s grandmother says the parents are using drugs again and {name} has been"
            " left with different people most weekends.",
            _ANY_AGE,
        ),
    ),
    "neighbour": (
        (
            "A neighbour hears {name} crying for long periods at night and has seen {name}"
            " left alone in the flat while the mother goes out.",
            _YOUNG,
        ),
        (
            "A neighbour says {name} is dropped off late at night by different cars and"
            " there are loud parties at the flat most weekends.",
            _TEEN,
        ),
    ),
    "self": (
        (
            "{name} phoned to say home is not safe: there are arguments every night and"
            " {name} does not want to go back there tonight.",
            _TEEN,
        ),
    ),
    "public": (
        (
            "A member of the public saw an adult hit {name} hard in the street and pull"
            " {name} into a car by the arm.",
            _SCHOOL_AGE,
        ),
        (
            "A member of the public saw an adult shaking {name}'s pushchair hard and"
            " shouting at the baby in the shopping centre.",
            _BABIES,
        ),
    ),
    "housing": (
        (
            "Housing officers visiting about rent arrears found the flat in very poor"
            " condition, with {name} sleeping on a mattress on the floor.",
            _ANY_AGE,
        ),
    ),
    "legal": (
        (
            "Probation say the new partner of {name}'s mother has a conviction for offences"
            " against children and is now living at the family home.",
            _ANY_AGE,
        ),
    ),
    "voluntary": (
        (
            "The young carers' project worker says {name} is exhausted, missing school to look"
            " after a parent, and said that things are 'really bad at home'.",
            _SCHOOL_AGE,
        ),
        (
            "The domestic abuse service is supporting {name}'s mother, who says her"
            " ex-partner comes to the house and threatens her in front of {name}.",
            _ANY_AGE,
        ),
    ),
    "anonymous": (
        (
            "An anonymous caller says {name} is often left alone overnight and is seen out"
            " late, hungry, asking neighbours for food.",
            _SCHOOL_AGE,
        ),
        (
            "An anonymous caller says {name} is left in the flat crying while the adults go"
            " out, and the pram is left outside in the rain.",
            _BABIES,
        ),
    ),
    "unknown": (
        (
            "A report about {name} reached the MASH without the referrer's details: it says"
            " {name} has marks on the face and is being kept off school.",
            _SCHOOL_AGE,
        ),
        (
            "A report about {name} reached the MASH without the referrer's details: it says"
            " the baby has marks on the face and is kept indoors.",
            _BABIES,
        ),
    ),
}
#: What a professional referrer has done so far; and a member of the family or public.
_HELP_SO_FAR = (
    "Spoke with the parent about the worry and gave the MASH's details; no service is"
    " known to be working with the family.",
    "Advice given to the family with details of local support; a follow-up is booked.",
    "Nothing yet: this is the first time we have been worried, and we are telling the"
    " MASH straight away.",
    "A safety plan was agreed with the non-abusing parent, who was referred to the"
    " domestic abuse service.",
)
_HELP_AT_SCHOOL = (
    "A pastoral plan and a mentor are in place for {name}; the parents were offered a"
    " meeting and did not come.",
    "{name} has breakfast club and a named adult to go to; mum was asked in and said"
    " things are fine.",
)
_HELP_FROM_THE_PUBLIC = (
    "Nothing: the caller does not know the family well enough to speak to them.",
    "Tried to talk to the parents, who told them to mind their own business.",
    "None: they wanted the MASH to know first.",
)
_HELP_FROM_FAMILY = {
    "family": (
        "Has tried to talk to the parents, who have stopped answering the phone.",
        "Has had {name} to stay at weekends whenever they can.",
    ),
    "self": (
        "Told a teacher last week; nothing has changed.",
        "Nothing: calling the MASH is the first thing {name} has done.",
    ),
}
_NEEDS = {
    BABY: "{name} needs safe, consistent care from sober adults who respond at night,"
    " and the health checks that were missed.",
    CHILD: "{name} needs to be safe at home, to get to school every day fed and clean,"
    " and help with speech and friendships.",
    TEENAGER: "{name} needs a trusted adult, protection from people who exploit young"
    " people, and support to stay in education.",
}
#: The child's words, or how they seemed to a baby's visitor: an opening and words of
#: its own, so that contacts do not all share one quote.
_VOICES = {
    BABY: (
        "{name} is a baby: too young to say. {name} was {seemed}.",
        "{name} is too young to give a view; {name} seemed {seemed}.",
    ),
    CHILD: (
        "{name} said: '{said}'",
        "{name} has not been spoken to alone yet.",
        "{name} said everything is fine at home but looked away and would not say more.",
        "Asked what would make things better, {name} said: '{said}'",
    ),
    TEENAGER: (
        "{name} said: '{said}'",
        "{name} asked us not to tell mum, and said: '{said}'",
        "{name} has not been spoken to alone yet.",
    ),
}
_SEEMED = (
    "alert and settled with mum",
    "quiet and watchful",
    "grizzly and hungry",
    "floppy and hard to wake",
    "smiling, but flinched at a raised voice",
    "clean and well dressed, with a nappy rash",
)
_SAID = {
    CHILD: (
        "I don't like it when they shout. I want it to stop.",
        "Mummy cries a lot. I make my own breakfast.",
        "I'm not allowed to say.",
        "He gets angry when I'm noisy so I stay in my room.",
        "I want to live at Nan's.",
        "There's no food at home at the weekend.",
        "I get scared at night when they argue.",
        "Dad said if I tell, I'll get taken away.",
    ),
    TEENAGER: (
        "Nobody listens to me at home. I'd rather be out.",
        "The arguments are every night. I can't sleep.",
        "I look after my little brother because mum can't.",
        "They're my mates, they look after me. You don't know them.",
        "I just want my own room and some peace.",
        "If I go home he'll kick off again.",
        "I'm fine. Everyone's making a big deal of nothing.",
        "I don't want to go back there tonight.",
        "Mum's new boyfriend scares me.",
    ),
}
_ADULTS = ("mum", "mum and dad", "mum and her partner", "dad", "grandparents")

_RAGS = (Rag.RED, Rag.AMBER, Rag.GREEN)
#: How the MASH rates the cases that end in each outcome (red, amber, green).
_RAG_WEIGHTS: dict[str, tuple[int, int, int]] = {
    Outcome.NFA_ADVICE: (2, 28, 70),
    Outcome.UNIVERSAL: (0, 20, 80),
    Outcome.EARLY_HELP: (5, 55, 40),
    Outcome.CHILD_IN_NEED: (20, 65, 15),
    Outcome.STRATEGY_DISCUSSION: (75, 25, 0),
    Outcome.IMMEDIATE_PROTECTION: (100, 0, 0),
}
_RAG_REASONS: dict[str, str] = {
    Rag.RED: "Risk of significant harm today: a disclosure of harm and the adult alleged"
    " to have caused it is at home.",
    Rag.AMBER: "Concerns about neglect and the parents' capacity that need checks with"
    " partners within the day.",
    Rag.GREEN: "Lower-level concerns; the family are known to universal services and"
    " agreed to the contact.",
}
#: England's MASH outcomes, in percent of children.
_OUTCOME_WEIGHTS: dict[str, int] = {
    Outcome.NFA_ADVICE: 35,
    Outcome.UNIVERSAL: 10,
    Outcome.EARLY_HELP: 20,
    Outcome.CHILD_IN_NEED: 20,
    Outcome.STRATEGY_DISCUSSION: 13,
    Outcome.IMMEDIATE_PROTECTION: 2,
}
_OUTCOME_REASONS: dict[str, str] = {
    Outcome.NFA_ADVICE: "Checks with police, health and education found nothing more; the"
    " referrer's own actions and advice meet the child's needs.",
    Outcome.UNIVERSAL: "The school and health services already involved can meet the"
    " child's needs, and the family agree.",
    Outcome.EARLY_HELP: "Needs at level 2 of the threshold: a family plan with early help,"
    " which the family agreed to.",
    Outcome.CHILD_IN_NEED: "Needs at level 3: a child and family assessment (section 17) to"
    " understand the parents' capacity to meet them.",
    Outcome.STRATEGY_DISCUSSION: "Reasonable cause to suspect significant harm: a strategy"
    " discussion with police and health today (section 47).",
    Outcome.IMMEDIATE_PROTECTION: "The child is not safe tonight: police protection used and"
    " an emergency placement found.",
}
_ADVICE = (
    "Advice to the referrer: keep monitoring, talk to the family about support, and"
    " contact the MASH again if anything changes.",
    "Advice to the parent about local parenting support and the GP; the referrer told.",
)
#: The share of cases, by outcome, in which the MASH asks partners (the rest, 90%).
_ASKED_SHARE: dict[str, float] = {
    Outcome.NFA_ADVICE: 0.3,
    Outcome.UNIVERSAL: 0.25,
    Outcome.EARLY_HELP: 0.6,
}
#: Information requested of each partner team, with the chance it is asked.
_DESKS: dict[str, float] = {
    Service.POLICE_MASH: 0.8,
    Service.HEALTH_MASH: 0.7,
    Service.EDUCATION_MASH: 0.6,
    Service.HOUSING: 0.08,
}
_QUESTIONS: dict[str, str] = {
    Service.POLICE_MASH: "Please share police history for the household: domestic abuse"
    " call-outs, convictions and intelligence about the adults.",
    Service.HEALTH_MASH: "Please share health information: GP registration, missed"
    " appointments, A&E attendances, health visiting or school nursing.",
    Service.EDUCATION_MASH: "Please share attendance, exclusions and any safeguarding"
    " concerns the school has logged.",
    Service.HOUSING: "Please share the tenancy, who is on it, and any visits or concerns"
    " about the property.",
}
_ANSWERS: dict[str, tuple[str, ...]] = {
    Service.POLICE_MASH: (
        "Two domestic abuse call-outs to the address this year, both medium risk; mum's"
        " partner has a caution for assault.",
        "No police information held about the child or the adults at the address.",
    ),
    Service.HEALTH_MASH: (
        "Registered with the GP; immunisations up to date; one A&E attendance last month"
        " (head injury, discharged home).",
        "No concerns recorded; the family were last seen at the one-year review.",
    ),
    Service.EDUCATION_MASH: (
        "Attendance 88% this year with two suspensions; the school has logged three"
        " concerns about hunger and tiredness.",
        "Attendance 97%; no concerns logged by the school.",
    ),
    Service.HOUSING: (
        "Secure council tenancy in mum's name; repairs reported damp and overcrowding.",
    ),
}
#: A share of requests are answered late, at up to 2.5 times the time allowed.
_LATE_SHARE = 0.18
#: DfE reasons for closure of the referrals that have closed, in percent.
_CLOSURES: dict[str, int] = {
    ClosureReason.RC8: 45,
    ClosureReason.RC7: 40,
    ClosureReason.RC5: 7,
    ClosureReason.RC3: 4,
    ClosureReason.RC4: 4,
}
_GIVEN = "Alex Sam Jo Chris Priti Joanne Ade Marta Ravi Leah Owen Fatima Dan Kemi".split()
_FAMILY = "Hughes Osei Bennett Kaur Doyle Nowak Ahmed Clarke Reyes Lewis Mensah Shah".split()


# ----- who and what is there ----------------------------------------------------------


@dataclass
class _Kid:
    id: Any
    given_name: str
    born: date
    household: Any = None
    school: int | None = None
    #: When the child started at that school.
    school_since: date | None = None
    gp: int | None = None


@dataclass
class _Staff:
    """The MASH's people: who logs, screens, asks and proposes; who signs off; who
    answers for each partner desk; and who can lead early help."""

    workers: list[int]
    #: Those who screen and propose: the social workers, or else anyone who works.
    social_workers: list[int]
    managers: list[int]
    desks: dict[int, list[int]]
    leads: list[int]


@dataclass
class _Agencies:
    council: Agency
    police: Agency | None
    community_health: Agency | None
    hospital: Agency | None
    housing: Agency | None
    schools: list[Agency]
    voluntary: list[Agency]
    by_id: dict[int, Agency]


@dataclass
class _Request:
    team: Team
    sent: datetime
    answered: datetime | None


@dataclass
class _Timeline:
    """When each step of one contact's work happened (the same for siblings)."""

    received: datetime
    due: datetime
    outcome: str
    rag: str
    worker: int | None
    screened: datetime
    requests: list[_Request]
    decided: datetime | None
    decider: int | None
    signed_off: datetime | None
    signer: int | None
    closed: datetime | None = None
    closure: str = ""
    lead: int | None = None

    def state_at(self, moment: datetime) -> str:
        if self.signed_off is not None and self.signed_off <= moment:
            return State.OUTCOME
        if self.decided is not None and self.decided <= moment:
            return State.DECISION
        if any(r.sent <= moment for r in self.requests):
            return State.INFORMATION_GATHERING
        if self.screened <= moment:
            return State.SCREENING
        return State.RECEIVED


@dataclass
class _Plan:
    """One child's case, planned before anything is written."""

    kid: _Kid
    contact: Contact
    case: MashCase
    timeline: _Timeline
    previous: _Plan | None = None
    #: Later contacts that joined the case while it was open.
    joined: list[Contact] = field(default_factory=list)

    @property
    def open_until(self) -> datetime | None:
        return self.timeline.signed_off


# ----- the year ---------------------------------------------------------------------


def mash_history_seed(*, contacts: int, as_of: date, seed: int) -> dict[str, int]:
    """About `contacts` contacts to the MASH in the twelve months before `as_of`, each
    child's case worked to an outcome, the last two working days' still open. Does
    nothing (all counts 0) if the MASH already has cases, or there is no MASH."""
    counts = dict.fromkeys(COUNTS, 0)
    hub = Team.objects.filter(service=Service.MASH).select_related("agency").order_by("pk").first()
    if contacts <= 0 or hub is None or MashCase.objects.exists():
        return counts
    kids = _children(as_of)
    if not kids:
        return counts
    year = _Year(hub=hub, as_of=as_of, kids=kids, rng=random.Random(f"mash-history-{seed}"))
    for moment, source in year.moments(contacts):
        year.contact_add(moment, source)
    with transaction.atomic():
        return year.write()


def _children(as_of: date) -> list[_Kid]:
    """The borough's children today, with their household, school and GP practice."""
    born_after = as_of - timedelta(days=round(18 * 365.25))
    children = Person.objects.filter(date_of_birth__gt=born_after, date_of_birth__lte=as_of)
    kids = {
        pk: _Kid(pk, given, born)
        for pk, given, born in children.order_by("pk").values_list(
            "pk", "given_name", "date_of_birth"
        )
        if born is not None
    }
    homes = HouseholdMember.objects.filter(left_on__isnull=True, person__in=children)
    for person_id, household_id in homes.order_by("person_id", "pk").values_list(
        "person_id", "household_id"
    ):
        kid = kids[person_id]
        kid.household = kid.household or household_id
    current = Involvement.objects.current().filter(person__in=children)
    for person_id, capacity, agency_id, started in (
        current.filter(capacity__in=(Capacity.SCHOOL, Capacity.GP))
        .order_by("started_on", "pk")
        .values_list("person_id", "capacity", "team__agency_id", "started_on")
    ):
        if capacity == Capacity.SCHOOL:
            kids[person_id].school = agency_id
            kids[person_id].school_since = started
        else:
            kids[person_id].gp = agency_id
    return list(kids.values())


class _Year:
    """The year's contacts, planned one at a time in the order they arrive (so that a
    re-referral, a sibling or a second contact can look at what came before), then
    written all together."""

    def __init__(self, *, hub: Team, as_of: date, kids: list[_Kid], rng: random.Random) -> None:
        self.hub = hub
        self.rng = rng
        self.end = min(timezone.now(), datetime.combine(as_of, time(17, 30), tzinfo=workdays.UK))
        self.start = datetime.combine(as_of - _YEAR, time(0, 0), tzinfo=workdays.UK)
        self.open_from = _open_from(self.end)
        self.staff = _staff(hub)
        self.agencies = _agencies(hub)
        self.desks = list(
            Team.objects.filter(Q(mash=hub) | Q(service=Service.HOUSING))
            .filter(service__in=_DESKS)
            .select_related("agency")
            .order_by("pk")
        )
        self.kids = kids
        self.visited = set(
            Involvement.objects.current()
            .filter(capacity=Capacity.HEALTH_VISITING)
            .values_list("person_id", flat=True)
        )
        born_by = as_of - timedelta(days=round(11 * 365.25))
        self.pools = {
            "all": kids,
            "pupils": [k for k in kids if k.school is not None] or kids,
            "babies": [k for k in kids if k.id in self.visited] or kids,
            "teenagers": [k for k in kids if k.born <= born_by] or kids,
        }
        self.households: dict[Any, list[_Kid]] = defaultdict(list)
        for kid in kids:
            if kid.household is not None:
                self.households[kid.household].append(kid)
        self.plans: list[_Plan] = []
        self.contacts: list[Contact] = []
        self.duplicates: list[tuple[Contact, _Plan]] = []
        #: Each child's latest case, and their referrals signed off, oldest first.
        self.latest: dict[Any, _Plan] = {}
        self.cases_of: Counter[Any] = Counter()
        self.referrals: dict[Any, list[_Plan]] = defaultdict(list)
        self.referred: list[_Plan] = []
        self.referral_count = 0
        self.re_referral_count = 0
        self.api_refs = 0

    # ----- when contacts arrive

    def moments(self, count: int) -> list[tuple[datetime, _Source]]:
        """Who makes each contact (England's mix) and when, in order: professionals in
        office hours on working days; the police, A&E and the public at any hour, most
        in office hours, fewer at weekends."""
        rng = self.rng
        last = self.end.astimezone(workdays.UK).date()
        days = [
            self.start.date() + timedelta(days=n)
            for n in range((last - self.start.date()).days + 1)
        ]
        weights = [1.0 if workdays.is_working_day(d) else 0.35 for d in days]
        midnight = datetime.combine(last, time(0, 0), tzinfo=workdays.UK)
        weights[-1] *= (self.end - midnight) / timedelta(days=1)
        # Office hours on a working day that had begun by the end.
        office = [
            d
            for d in days
            if workdays.is_working_day(d)
            and datetime.combine(d, OFFICE_OPENS, tzinfo=workdays.UK) < self.end
        ]
        sources = rng.choices(_SOURCES, [s.weight for s in _SOURCES], k=count)
        moments = []
        for source in sources:
            if source.office and office:
                day = rng.choice(office)
                opens = datetime.combine(day, OFFICE_OPENS, tzinfo=workdays.UK)
                closes = min(datetime.combine(day, OFFICE_CLOSES, tzinfo=workdays.UK), self.end)
                moment = opens + (closes - opens) * rng.random()
                moments.append((moment.replace(microsecond=0), source))
                continue
            day = rng.choices(days, weights)[0]
            midnight = datetime.combine(day, time(0, 0), tzinfo=workdays.UK)
            if workdays.is_working_day(day) and rng.random() < 0.85:
                moment = midnight + timedelta(hours=rng.uniform(8.5, 17.5))
            else:
                moment = midnight + timedelta(hours=rng.uniform(0, 24))
            if moment >= self.end:
                moment = midnight + (self.end - midnight) * rng.random()
            moments.append((moment.replace(microsecond=0), source))
        return sorted(moments, key=lambda pair: pair[0])

    # ----- one contact

    def contact_add(self, moment: datetime, source: _Source) -> None:
        rng = self.rng
        if rng.random() < DUPLICATE_SHARE and self._duplicate_add(moment, source):
            return
        outcome = rng.choices(list(_OUTCOME_WEIGHTS), list(_OUTCOME_WEIGHTS.values()))[0]
        kid = self._child_for(moment, source, outcome)
        if kid is None:
            return
        kids = [kid, *self._siblings_of(kid, moment)]
        contact = self._contact(moment, source, kids)
        timeline = self._timeline(moment, outcome)
        self.contacts.append(contact)
        for child in kids:
            self._case_add(child, contact, timeline)

    def _duplicate_add(self, moment: datetime, source: _Source) -> bool:
        """A second contact about a child whose case is open joins it."""
        for plan in reversed(self.plans[-40:]):
            if (plan.open_until is None or plan.open_until > moment) and self._knows(
                source, plan.kid, moment
            ):
                contact = self._contact(moment, source, [plan.kid])
                self.contacts.append(contact)
                self.duplicates.append((contact, plan))
                plan.joined.append(contact)
                return True
        return False

    def _busy(self, kid: _Kid, moment: datetime) -> bool:
        plan = self.latest.get(kid.id)
        return plan is not None and (plan.open_until is None or plan.open_until > moment)

    def _knows(self, source: _Source, kid: _Kid, moment: datetime) -> bool:
        """Whether this referrer would know this child: of an age they meet (a
        school's pupil, a health visitor's under-five, a youth worker's teenager)."""
        if kid.born > moment.date() or _age_band(kid, moment) not in source.ages:
            return False
        if source.kind in _AT_SCHOOL:
            # At the school by then: not a child who started in reception since.
            since = kid.school_since
            return kid.school is not None and since is not None and since <= moment.date()
        if source.kind == "health_visitor":
            return kid.id in self.visited
        return True

    def _free(self, kid: _Kid, moment: datetime, source: _Source) -> bool:
        return self._knows(source, kid, moment) and not self._busy(kid, moment)

    def _child_for(self, moment: datetime, source: _Source, outcome: str) -> _Kid | None:
        rng = self.rng
        if outcome in REFERRAL_OUTCOMES and self.re_referral_count < RE_REFERRAL_SHARE * (
            self.referral_count + 1
        ):
            # A child referred in the twelve months before: a re-referral.
            for _ in range(30):
                if not self.referred:
                    break
                earlier = rng.choice(self.referred)
                signed_off = earlier.timeline.signed_off
                assert signed_off is not None
                if moment - _YEAR <= signed_off < moment and self._free(
                    earlier.kid, moment, source
                ):
                    return earlier.kid
        if self.plans and rng.random() < REPEAT_SHARE:
            for _ in range(10):
                kid = rng.choice(self.plans).kid
                if self._free(kid, moment, source) and self.cases_of[kid.id] < REPEATS_AT_MOST:
                    return kid
        for pool in (self.pools[_POOL_OF_KIND.get(source.kind, "all")], self.kids):
            for _ in range(30):
                kid = rng.choice(pool)
                if self._free(kid, moment, source):
                    return kid
        return None

    def _siblings_of(self, kid: _Kid, moment: datetime) -> list[_Kid]:
        rng = self.rng
        pick = rng.random()
        wanted = 2 if pick < SIBLINGS_SHARE[2] else 3 if pick < sum(SIBLINGS_SHARE.values()) else 1
        if wanted == 1 or kid.household is None:
            return []
        others = [
            k
            for k in self.households[kid.household]
            if k is not kid and k.born <= moment.date() and not self._busy(k, moment)
        ]
        return rng.sample(others, min(wanted - 1, len(others)))

    def _contact(self, moment: datetime, source: _Source, kids: list[_Kid]) -> Contact:
        rng = self.rng
        kid = kids[0]
        name = kid.given_name
        age = _age_band(kid, moment)
        agency = self._agency(source, kid)
        anonymous = source.code in (ReferralSource.ANONYMOUS, ReferralSource.UNKNOWN)
        given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
        domain = agency.email.partition("@")[2] if agency is not None and agency.email else ""
        consent = rng.choices(list(Consent), [45, 15, 40])[0]
        api = source.code == ReferralSource.POLICE and rng.random() < 0.7
        external_ref = ""
        if api:
            self.api_refs += 1
            external_ref = f"NICHE-{moment:%Y}-{self.api_refs:06d}"
        others = len(self.households[kid.household]) - 1 if kid.household is not None else 0
        household = f"{name} lives with {rng.choice(_ADULTS)}" + (
            f" and {others} other {'child' if others == 1 else 'children'}." if others else "."
        )
        return Contact(
            hub=self.hub,
            received_on=moment,
            channel=Channel.API if api else Channel.WEB,
            referrer_name="Not given" if anonymous else f"{given} {family}",
            referrer_role=source.role,
            referrer_phone="" if anonymous else f"020 7946 0{rng.randrange(100, 999)}",
            referrer_email=f"{given}.{family}@{domain}".lower() if domain else "",
            referring_agency=agency,
            source=source.code,
            concern=rng.choice(
                [text for text, ages in _CONCERNS[source.kind] if age in ages]
            ).format(name=name),
            help_so_far=rng.choice(_help_of(source)).format(name=name),
            child_needs=_NEEDS[age].format(name=name),
            child_voice=rng.choice(_VOICES[age]).format(
                name=name,
                seemed=rng.choice(_SEEMED),
                said=rng.choice(_SAID.get(age, ("",))),
            ),
            household=household,
            family_knows=consent != Consent.NOT_SOUGHT or rng.random() < 0.3,
            consent=consent,
            sharing_reason=""
            if consent == Consent.GIVEN
            else "Asking first could put the child at risk of further harm; sharing is"
            " necessary to safeguard them (Data Protection Act 2018, Schedule 8).",
            external_ref=external_ref,
            created_on=moment,
        )

    def _agency(self, source: _Source, kid: _Kid) -> Agency | None:
        """The referrer's agency: the child's own school or GP practice where known."""
        a = self.agencies
        kind = source.kind
        if kind == "school":
            school = a.by_id.get(kid.school or 0)
            return school or (self.rng.choice(a.schools) if a.schools else None)
        if kind == "voluntary":
            return self.rng.choice(a.voluntary) if a.voluntary else None
        if kind == "gp":
            return a.by_id.get(kid.gp or 0) or a.community_health
        return {
            "police": a.police,
            "education": a.council,
            "health_visitor": a.community_health,
            "school_nurse": a.community_health,
            "health": a.community_health,
            "hospital": a.hospital,
            "council": a.council,
            "early_help": a.council,
            "housing": a.housing,
        }.get(kind)

    # ----- one contact's work

    def _timeline(self, received: datetime, outcome: str) -> _Timeline:
        rng = self.rng
        staff = self.staff
        rag = rng.choices(_RAGS, _RAG_WEIGHTS[outcome])[0]
        recent = received >= self.open_from
        due = rules.decision_due(received)
        worker = rng.choice(staff.social_workers) if staff.social_workers else None
        screened = _after(received, rng.uniform(0.2, 6.0) if recent else rng.uniform(0.2, 3.0))
        requests = []
        if worker is not None and rng.random() < _ASKED_SHARE.get(outcome, 0.9):
            sent = _after(screened, rng.uniform(0.05, 1.0))
            for team in self.desks:
                if rng.random() < _DESKS[team.service]:
                    due_by, _ = rules.rfi_deadlines(sent, rag)
                    allowed = workdays.working_hours_between(sent, due_by)
                    late = rng.random() < _LATE_SHARE
                    took = allowed * (rng.uniform(1.05, 2.5) if late else rng.uniform(0.15, 1.0))
                    requests.append(_Request(team, sent, _after(sent, took)))
        ready = max([screened, *(r.answered for r in requests if r.answered)])
        thinking = rng.uniform(0.3, 2.0) + (rng.uniform(4, 16) if rng.random() < 0.1 else 0)
        decided = _after(ready, thinking)
        signed_off = _after(decided, rng.uniform(0.2, 2.5))
        if signed_off > due and rng.random() < ON_TIME_SHARE:
            # Most decisions are made by the deadline with what is known by then; the
            # answers still to come arrive later.
            earliest = max([screened, *(r.sent for r in requests)]) + timedelta(minutes=10)
            latest = due - timedelta(minutes=rng.randint(5, 60))
            if earliest < latest - timedelta(minutes=20):
                signed_off = latest.replace(microsecond=0)
                decided = max(earliest, signed_off - timedelta(minutes=rng.randint(15, 120)))
        decider = rng.choice(staff.social_workers) if staff.social_workers else None
        # A manager never signs off their own proposal, unless they are the only one.
        signers = [m for m in staff.managers if m != decider] or staff.managers
        timeline = _Timeline(
            received=received,
            due=due,
            outcome=outcome,
            rag=rag,
            worker=worker,
            screened=screened,
            requests=requests,
            decided=decided,
            decider=decider,
            signed_off=signed_off,
            signer=rng.choice(signers) if signers else None,
        )
        if recent:
            # The last two working days' cases are still being worked on.
            timeline.signed_off = None
            if rng.random() > 0.25:
                timeline.decided = None
        elif outcome in REFERRAL_OUTCOMES:
            closed = _after(signed_off + timedelta(days=rng.randint(10, 150)), rng.uniform(0, 8))
            if outcome != Outcome.IMMEDIATE_PROTECTION and closed <= self.end:
                timeline.closed = closed
                timeline.closure = rng.choices(list(_CLOSURES), list(_CLOSURES.values()))[0]
        if outcome == Outcome.EARLY_HELP and staff.leads:
            timeline.lead = rng.choice(staff.leads)
        # Anything after today has not happened yet.
        if timeline.signed_off is not None and timeline.signed_off > self.end:
            timeline.signed_off = timeline.closed = None
        if timeline.decided is not None and timeline.decided > self.end:
            timeline.decided = None
        timeline.requests = [r for r in requests if r.sent <= self.end]
        for request in timeline.requests:
            if request.answered is not None and request.answered > self.end:
                request.answered = None
        return timeline

    def _case_add(self, kid: _Kid, contact: Contact, timeline: _Timeline) -> None:
        end = self.end
        state = timeline.state_at(end)
        screened = timeline.screened <= end
        decided = timeline.decided is not None
        signed_off = timeline.signed_off is not None
        referral = signed_off and timeline.outcome in REFERRAL_OUTCOMES
        due = timeline.due
        left_open = timeline.signed_off or end
        outcome = timeline.outcome if decided else ""
        case = MashCase(
            hub=self.hub,
            person_id=kid.id,
            contact=contact,
            received_on=timeline.received,
            decision_due=due,
            state=state,
            rag=timeline.rag if screened else "",
            rag_reason=_RAG_REASONS[timeline.rag] if screened else "",
            allocated_to_id=timeline.worker if screened else None,
            outcome=outcome,
            outcome_reason=_OUTCOME_REASONS[outcome] if decided else "",
            advice=self.rng.choice(_ADVICE) if outcome == Outcome.NFA_ADVICE else "",
            lead_professional_id=timeline.lead if decided else None,
            decided_by_id=timeline.decider if decided else None,
            decided_on=timeline.decided,
            signed_off_by_id=timeline.signer if signed_off else None,
            signed_off_on=timeline.signed_off,
            is_referral=referral,
            closed_on=timeline.signed_off if signed_off and not referral else timeline.closed,
            closure_reason=timeline.closure,
            overdue_escalated_on=due + timedelta(minutes=self.rng.uniform(0, 5))
            if due < left_open and due <= end
            else None,
            created_on=timeline.received,
        )
        plan = _Plan(kid, contact, case, timeline)
        if referral:
            assert timeline.signed_off is not None
            since = timeline.received - _YEAR
            earlier = [
                p
                for p in self.referrals[kid.id]
                if p.timeline.signed_off and since <= p.timeline.signed_off < timeline.received
            ]
            plan.previous = max(earlier, key=lambda p: p.timeline.signed_off or since, default=None)
            self.referral_count += 1
            self.re_referral_count += plan.previous is not None
            self.referrals[kid.id].append(plan)
            self.referred.append(plan)
        self.plans.append(plan)
        self.latest[kid.id] = plan
        self.cases_of[kid.id] += 1

    # ----- writing it all

    def write(self) -> dict[str, int]:
        _in_batches(Contact, self.contacts)
        open_plans = [p for p in self.plans if p.case.state in OPEN_STATES]
        involvements = self._mash_enquiries(open_plans)
        _in_batches(MashCase, [p.case for p in self.plans])
        again = [p for p in self.plans if p.previous is not None]
        for plan in again:
            plan.case.previous_referral = plan.previous.case  # type: ignore[union-attr]
        MashCase.objects.bulk_update(
            [p.case for p in again], ["previous_referral"], batch_size=BATCH
        )
        children = [_contact_child(p.contact, p) for p in self.plans] + [
            _contact_child(contact, plan, duplicate=True) for contact, plan in self.duplicates
        ]
        _in_batches(ContactChild, children)
        transitions = _in_batches(CaseTransition, self._transitions()) if self.staff.workers else 0
        requests = _in_batches(InformationRequest, self._requests()) if self.staff.workers else 0
        events = history_store(self._chronology())
        return {
            "contacts": len(self.contacts),
            "children": len(children),
            "cases": len(self.plans),
            "open_cases": len(open_plans),
            "duplicates": len(self.duplicates),
            "referrals": self.referral_count,
            "re_referrals": self.re_referral_count,
            "transitions": transitions,
            "information_requests": requests,
            "involvements": involvements,
            "chronology_events": events,
        }

    def _chronology(self) -> Iterator[ChronologyEvent]:
        """Each contact and each decision on the child's chronology, as the MASH's
        services write them."""
        hub = self.hub
        people = User.objects.in_bulk(
            {*self.staff.workers, *self.staff.leads, *self.staff.managers}
        )
        persons: dict[Any, Person] = {}

        def person(pk: Any) -> Person:
            return persons.setdefault(pk, Person(pk=pk))

        contacts = [(p.contact, p, False) for p in self.plans] + [
            (c, p, True) for c, p in self.duplicates
        ]
        for contact, plan, duplicate in contacts:
            event = chronology_entry(
                kind=EventKind.CONTACT,
                person=person(plan.kid.id),
                moment=contact.received_on,
                summary=(
                    f"Contact to {hub.name} from {services.referrer_described(contact)}"
                    f" ({contact.get_source_display()}).\nConcern: {contact.concern}"
                    + ("\nJoined the MASH case already open for the child." if duplicate else "")
                ),
                agency=contact.referring_agency or hub.agency,
                recorder=None,
                reference=f"mash-contact-{contact.pk}",
            )
            event.recorded_by_name = contact.referrer_name
            yield event
        for plan in self.plans:
            case, t = plan.case, plan.timeline
            if t.signed_off is None:
                continue
            signer = people.get(t.signer) if t.signer else None
            decider = people.get(t.decider) if t.decider else None
            lead = people.get(case.lead_professional_id) if case.lead_professional_id else None
            lines = [
                f"MASH decision: {case.get_outcome_display()}.",
                f"Why: {case.outcome_reason}",
                *([f"Advice: {case.advice}"] if case.advice else []),
                *([f"Lead professional: {lead.get_full_name()}"] if lead else []),
                *(
                    ["This is a re-referral (a referral in the 12 months before)."]
                    if plan.previous is not None
                    else []
                ),
                f"Proposed by {decider.get_full_name() if decider else ''};"
                f" signed off by {signer.get_full_name() if signer else ''}.",
            ]
            yield chronology_entry(
                kind=EventKind.DECISION,
                person=person(plan.kid.id),
                moment=t.signed_off,
                summary="\n".join(lines),
                agency=hub.agency,
                recorder=signer,
                reference=f"mash-decision-{case.pk}",
            )

    def _mash_enquiries(self, plans: list[_Plan]) -> int:
        """The MASH enquiry on the register for each child whose case is open (one
        already there is used, as `services.contact_make` does)."""
        current = dict(
            Involvement.objects.current()
            .filter(team=self.hub, capacity=Capacity.MASH_ENQUIRY)
            .order_by("pk")
            .values_list("person_id", "pk")
        )
        new = {}
        for plan in plans:
            if plan.kid.id in current:
                plan.case.involvement_id = current[plan.kid.id]
                continue
            received = plan.timeline.received
            new[plan.kid.id] = plan.case.involvement = Involvement(
                person_id=plan.kid.id,
                team=self.hub,
                capacity=Capacity.MASH_ENQUIRY,
                started_on=timezone.localdate(received),
                source_agency=self.hub.agency,
                source_system=TELLONCE_SYSTEM,
                confirmation=Confirmation.TELLONCE,
                received_on=received,
                created_on=received,
            )
        return _in_batches(Involvement, list(new.values()))

    def _transitions(self) -> Iterator[CaseTransition]:
        rng = self.rng
        workers = self.staff.workers
        for plan in self.plans:
            t, case, contact = plan.timeline, plan.case, plan.contact
            steps: list[tuple[datetime, str, str, int, str]] = [
                (
                    t.received,
                    "",
                    State.RECEIVED,
                    rng.choice(workers),
                    f"Contact received from {services.referrer_described(contact)}",
                )
            ]
            if case.rag:
                steps.append(
                    (
                        t.screened,
                        State.RECEIVED,
                        State.SCREENING,
                        t.worker,  # type: ignore[arg-type]
                        f"Rated {case.get_rag_display().lower()}: {case.rag_reason}",
                    )
                )
            for n, request in enumerate(t.requests):
                team = request.team
                steps.append(
                    (
                        request.sent,
                        State.SCREENING if n == 0 else State.INFORMATION_GATHERING,
                        State.INFORMATION_GATHERING,
                        t.worker,  # type: ignore[arg-type]
                        f"Information requested from {team.named}",
                    )
                )
            if t.decided is not None:
                steps.append(
                    (
                        t.decided,
                        t.state_at(t.decided - timedelta(seconds=1)),
                        State.DECISION,
                        t.decider,  # type: ignore[arg-type]
                        f"Proposed: {case.get_outcome_display()}. {case.outcome_reason}",
                    )
                )
            if t.signed_off is not None:
                steps.append(
                    (
                        t.signed_off,
                        State.DECISION,
                        State.OUTCOME,
                        t.signer,  # type: ignore[arg-type]
                        f"Signed off: {case.get_outcome_display()}",
                    )
                )
            if t.closed is not None:
                steps.append(
                    (
                        t.closed,
                        State.OUTCOME,
                        State.OUTCOME,
                        t.decider,  # type: ignore[arg-type]
                        f"Closed: {case.get_closure_reason_display()}. The assessment is"
                        " complete and the plan's work has ended.",
                    )
                )
            for joined in plan.joined:
                state = t.state_at(joined.received_on)
                steps.append(
                    (
                        joined.received_on,
                        state,
                        state,
                        rng.choice(workers),
                        "Another contact about the child joined this case (contact"
                        f" {joined.pk}, from {services.referrer_described(joined)})",
                    )
                )
            for on, before, after, by, reason in steps:
                yield CaseTransition(
                    case=case, from_state=before, to_state=after, by_id=by, on=on, reason=reason
                )

    def _requests(self) -> Iterator[InformationRequest]:
        rng = self.rng
        for plan in self.plans:
            t = plan.timeline
            for request in t.requests:
                assert t.worker is not None  # only a case with a worker asks
                service = request.team.service
                due, escalate = rules.rfi_deadlines(request.sent, t.rag)
                answered = request.answered
                answerers = self.staff.desks.get(request.team.pk, [])
                waited = answered or self.end
                yield InformationRequest(
                    case=plan.case,
                    team=request.team,
                    asked_by_id=t.worker,
                    question=_QUESTIONS[service],
                    rag=t.rag,
                    sent_on=request.sent,
                    due_on=due,
                    escalate_on=escalate,
                    answer=rng.choice(_ANSWERS[service]) if answered else "",
                    answered_by_id=rng.choice(answerers) if answered and answerers else None,
                    answered_on=answered,
                    response_hours=round(workdays.working_hours_between(request.sent, answered), 2)
                    if answered
                    else None,
                    chased_on=due if due < waited else None,
                    escalated_on=escalate if escalate < waited else None,
                    created_on=request.sent,
                    created_by_id=t.worker,
                )


def _contact_child(contact: Contact, plan: _Plan, *, duplicate: bool = False) -> ContactChild:
    # The form's referrer picks the child from TellOnce; an agency's system sends details.
    match = (
        ContactChild.Match.LINKED if contact.channel == Channel.API else ContactChild.Match.CHOSEN
    )
    return ContactChild(
        contact=contact, person_id=plan.kid.id, case=plan.case, match=match, duplicate=duplicate
    )


def _after(moment: datetime, working_hours: float) -> datetime:
    """`working_hours` after `moment`, to the second."""
    return workdays.due_by_working_hours(moment, working_hours).replace(microsecond=0)


def working_moment(at: time, *, not_after: datetime) -> datetime:
    """`at` on the latest working day on which it is not after `not_after`: when a
    professional did something "this morning" in a seed run at any hour."""
    day = not_after.astimezone(workdays.UK).date()
    while True:
        moment = datetime.combine(day, at, tzinfo=workdays.UK)
        if workdays.is_working_day(day) and moment <= not_after:
            return moment
        day -= timedelta(days=1)


def _open_from(end: datetime) -> datetime:
    """09:00 on the first of the last two working days up to `end`: contacts since
    then are still being worked on."""
    day = end.astimezone(workdays.UK).date()
    days: list[date] = []
    while len(days) < OPEN_WORKING_DAYS:
        if workdays.is_working_day(day):
            days.append(day)
        day -= timedelta(days=1)
    return datetime.combine(days[-1], workdays.DAY_STARTS, tzinfo=workdays.UK)


def _age_band(kid: _Kid, moment: datetime) -> str:
    years = (moment.date() - kid.born).days / 365.25
    return BABY if years < 2 else CHILD if years < 11 else TEENAGER


def _help_of(source: _Source) -> tuple[str, ...]:
    """What the referrer did before telling the MASH: a school's pastoral help, a
    professional's advice or safety plan, or nothing a member of the public could do."""
    if not source.office:
        if source.kind in ("police", "hospital"):
            return _HELP_SO_FAR
        return _HELP_FROM_FAMILY.get(source.kind, _HELP_FROM_THE_PUBLIC)
    if source.kind in _AT_SCHOOL:
        return _HELP_AT_SCHOOL + _HELP_SO_FAR
    return _HELP_SO_FAR


def _staff(hub: Team) -> _Staff:
    roles = (
        UserRole.objects.filter(
            Q(user__team=hub) | Q(user__team__mash=hub),
            user__is_active=True,
            user__is_system_account=False,
            role__in=MASH_ROLES,
        )
        .order_by("user_id", "role")
        .values_list("user_id", "role", "user__team_id")
    )
    workers, managers = [], []
    desks: dict[int, list[int]] = defaultdict(list)
    for user_id, role, team_id in roles:
        if role in (Role.MASH_SOCIAL_WORKER, Role.MASH_MANAGER) and user_id not in workers:
            workers.append(user_id)
        if role == Role.MASH_MANAGER:
            managers.append(user_id)
        if team_id != hub.pk and user_id not in desks[team_id]:
            desks[team_id].append(user_id)
    leads: list[int] = []
    for role in (Role.EARLY_HELP_PRACTITIONER, Role.PRACTITIONER):
        leads = list(
            User.objects.filter(roles__role=role, is_active=True, is_system_account=False)
            .exclude(team=None)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if leads:
            break
    return _Staff(
        workers=workers,
        social_workers=[w for w in workers if w not in managers] or workers,
        managers=managers or workers,
        desks=dict(desks),
        leads=leads,
    )


def _agencies(hub: Team) -> _Agencies:
    def first(**lookup: Any) -> Agency | None:
        return Agency.objects.filter(**lookup).order_by("pk").first()

    every = Agency.objects.in_bulk()
    return _Agencies(
        council=hub.agency,
        police=first(kind=AgencyKind.POLICE),
        community_health=first(teams__service=Service.HEALTH_VISITING),
        hospital=first(teams__service=Service.EMERGENCY_DEPARTMENT),
        housing=first(kind=AgencyKind.HOUSING),
        schools=[a for a in every.values() if a.kind == AgencyKind.SCHOOL],
        voluntary=[a for a in every.values() if a.kind == AgencyKind.VOLUNTARY],
        by_id=every,
    )


def _in_batches(model: type[_M], rows: Iterable[_M]) -> int:
    """`bulk_create` a batch at a time, so a year's transitions are never all in memory."""
    written = 0
    batch: list[_M] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            written += len(model._default_manager.bulk_create(batch))
            batch = []
    if batch:
        written += len(model._default_manager.bulk_create(batch))
    return written


# ----- the demo's story -------------------------------------------------------------


def demo_contact_make(
    *, dsl: User, health_visitor: User | None, received_on: datetime
) -> MashCase | None:
    """The DSL tells the MASH about a pupil of their school whose baby brother or
    sister has a health visitor (the demo's health visitor's family first); None if
    the borough has no such pupil."""
    assert dsl.team is not None
    found = _pupil_with_a_visited_sibling(dsl.team, health_visitor)
    if found is None:
        return None
    pupil, little_one = found
    name, little = pupil.given_name, little_one.given_name
    age = little_one.age or 0
    aged = f"{age} year{'s' if age > 1 else ''} old" if age else "under one"
    details = services.ContactDetails(
        children=[services.ChildDetails(person_id=pupil.pk)],
        source=ReferralSource.SCHOOLS,
        referrer_name=dsl.get_full_name(),
        referrer_role=dsl.job_title,
        referrer_phone=dsl.team.phone,
        referrer_email=dsl.email,
        concern=(
            f"{name} came into school this morning with a bruise on the cheek and said mum's"
            f" boyfriend pushed {name} into a door last night. {name} was quiet and hungry"
            f" all morning and said {little}, the youngest at home, cries when he is there."
        ),
        help_so_far=(
            f"Spoke with {name} with the head of year; gave breakfast; logged it. We have"
            " not called mum, so as not to put anyone at risk before the MASH decides."
        ),
        child_needs=(
            f"{name} needs to be safe at home tonight, to be fed, and for someone to follow"
            " up the drop in attendance since the boyfriend moved in."
        ),
        child_voice=f"{name} said: 'I don't want to go home when he's there.'",
        household=f"Mum, {little} ({aged}), and mum's boyfriend (name not known).",
        family_knows=False,
        consent=Consent.NOT_SOUGHT,
        sharing_reason=(
            f"Asking mum first could put {name} and {little} at risk of further harm tonight."
        ),
    )
    contact = services.contact_make(
        user=dsl, details=details, channel=Channel.WEB, via=COMMAND_LINE, received_on=received_on
    )
    return contact.children.get().case


def _pupil_with_a_visited_sibling(
    school: Team, health_visitor: User | None
) -> tuple[Person, Person] | None:
    pupils = set(
        Involvement.objects.current()
        .filter(team=school, capacity=Capacity.SCHOOL)
        .values_list("person_id", flat=True)
    )
    busy = set(MashCase.objects.filter(state__in=OPEN_STATES).values_list("person_id", flat=True))
    homes = dict(
        HouseholdMember.objects.filter(left_on__isnull=True, person__in=pupils - busy)
        .order_by("pk")
        .values_list("person_id", "household_id")
    )
    visited = dict(
        Involvement.objects.current()
        .filter(capacity=Capacity.HEALTH_VISITING)
        .values_list("person_id", "practitioner_id")
    )
    babies: dict[Any, list[Any]] = defaultdict(list)
    for household_id, person_id in HouseholdMember.objects.filter(
        left_on__isnull=True, household__in=set(homes.values()), person__in=set(visited)
    ).values_list("household_id", "person_id"):
        babies[household_id].append(person_id)
    ours = health_visitor.pk if health_visitor is not None else None
    found = sorted(
        (visited[baby] != ours, str(pupil), str(baby))
        for pupil, household in homes.items()
        for baby in babies.get(household, [])
        if baby != pupil
    )
    if not found:
        return None
    _, pupil_id, baby_id = found[0]
    return Person.objects.get(pk=pupil_id), Person.objects.get(pk=baby_id)
