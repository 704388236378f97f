"""A year of missing children and of Operation Encompass, made up:
`protocols_history_seed()`.

It loads, for the twelve months before a day, about the children the seed made:

- missing episodes (about one a year for every hundred children), reported by the
  police, the emergency duty team (for parents and for children's homes) or the demo
  DSL's school; the police desk told and acknowledging (a few escalated first); most
  children back within two days, each with a return home interview by the independent
  service, done in time for most, late, refused with the child's reason, or still to
  do; the interviews shared with the police (and the social worker, where the child
  has one); the pattern flags the rules raise (three episodes in 90 days, signs of
  exploitation in an interview);
- domestic abuse incidents (about one a year for every sixty children) reported by
  the borough's police in households with a child at school, each child's
  notifications planned by Operation Encompass's own rules (`encompass.services`), the
  alert of each already delivered (mostly before the school day, a few late) and
  mostly acknowledged that morning, a few chased or escalated first.

Work still to do is recent: an interview or an acknowledgement outstanding is never
older than two weeks. What a child said varies, and fits their age (a baby is seen,
not quoted). History tells no one: its alerts are delivered and read with no delivery
rows; each report, return, interview, incident and notification is on the child's
chronology as the services write them. Every row goes in with `bulk_create`, so a borough of
57,000 children takes well under a second or two. Outcomes are dealt from shuffled
quotas, so a small borough's shares are the same as a large one's.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from tellonce.accounts.models import User
from tellonce.alerts.models import Alert, AlertKind
from tellonce.borough.chronologies import history_store
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.chronology.services import chronology_entry
from tellonce.core import workdays
from tellonce.core.dates import when_said
from tellonce.encompass import services as encompass
from tellonce.encompass.models import (
    Channel,
    DomesticAbuseIncident,
    IncidentChild,
    Match,
    Notification,
    Recipient,
)
from tellonce.encompass.services import (
    CHASE_AFTER,
    ESCALATE_AFTER,
    INCIDENT_SYSTEM,
    statutory_fields,
)
from tellonce.involvements.models import Capacity, Involvement
from tellonce.missing import services as missing
from tellonce.missing.models import (
    FlagReason,
    InterviewState,
    MissingEpisode,
    MissingPatternFlag,
    ReturnHomeInterview,
    Risk,
)
from tellonce.missing.services import CARE_CAPACITIES, PATTERN_DAYS, PATTERN_EPISODES
from tellonce.organisations.models import AgencyKind, Service, Team
from tellonce.people.models import HouseholdMember, Person

#: Missing episodes a year for each child of the borough (England: about one in 100).
EPISODES_PER_CHILD = 1 / 100
#: Domestic abuse incidents with children a year, for each child of the borough.
INCIDENTS_PER_CHILD = 1 / 60
#: Of missing episodes: who reports them.
POLICE_SHARE = 0.30
EDT_SHARE = 0.35
CHILDRENS_HOME_SHARE = 0.20  # the rest: schools
#: Of return home interviews due by the end: done in time, late, refused, still open.
INTERVIEW_QUOTAS = {"on_time": 0.76, "late": 0.10, "refused": 0.11, "open": 0.03}
EXPLOITATION_SHARE = 0.08
ESCALATED_SHARE = 0.05
#: Children missing three or more times in 90 days: one for every this many episodes.
EPISODES_PER_REPEAT_CHILD = 40
#: Of Operation Encompass notifications: delivered after the school day started.
LATE_SHARE = 0.03
#: Acknowledged before the chase, after the chase, after the escalation, never.
ACK_QUOTAS = {"prompt": 0.80, "chased": 0.11, "escalated": 0.07, "never": 0.02}
#: Work still to be done (an interview, an acknowledgement) is never older than this.
STILL_OPEN_FOR = timedelta(days=14)
BATCH = 2_000
COUNTS = (
    "episodes",
    "still_missing",
    "interviews",
    "interviews_open",
    "flags",
    "incidents",
    "incident_children",
    "notifications",
    "alerts",
    "chronology_events",
)

_YEAR = timedelta(days=365)
_M = TypeVar("_M", bound=Model)


def demo_episodes(children: int) -> int:
    return round(EPISODES_PER_CHILD * children)


def demo_incidents(children: int) -> int:
    return round(INCIDENTS_PER_CHILD * children)


def protocols_history_seed(*, children: int, as_of: date, seed: int) -> dict[str, int]:
    """A year of missing episodes and of Operation Encompass incidents before `as_of`,
    scaled to a borough of `children`. Does nothing (all counts 0) if there are
    episodes or incidents already."""
    counts = dict.fromkeys(COUNTS, 0)
    if MissingEpisode.all_objects.exists() or DomesticAbuseIncident.objects.exists():
        return counts
    kids = _kids(as_of)
    if not kids:
        return counts
    end = min(timezone.now(), datetime.combine(as_of, time(17, 30), tzinfo=workdays.UK))
    rng = random.Random(f"protocols-history-{seed}")
    teams = _teams()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=(
                "tom.police",
                "eddie.edt",
                "rita.rhi",
                "dana.dsl",
                "ed.education",
                "police-system",
            )
        )
    }
    with transaction.atomic():
        missed = _Missing(kids=kids, end=end, rng=rng, teams=teams, users=users).write(
            demo_episodes(children)
        )
        told = _Encompass(kids=kids, end=end, rng=rng, users=users).write(demo_incidents(children))
        counts.update(missed)
        counts.update(told)
        counts["chronology_events"] = missed.get("chronology_events", 0) + told.get(
            "chronology_events", 0
        )
    return counts


# ----- who is there -------------------------------------------------------------------


@dataclass
class _Kid:
    id: Any
    born: date
    household: Any = None
    school_team: int | None = None
    school_agency: int | None = None
    cared: bool = False


def _kids(as_of: date) -> list[_Kid]:
    born_after = as_of - timedelta(days=round(18 * 365.25))
    children = Person.objects.filter(date_of_birth__gt=born_after, date_of_birth__lte=as_of)
    kids = {
        pk: _Kid(pk, born)
        for pk, born in children.order_by("pk").values_list("pk", "date_of_birth")
        if born is not None
    }
    for person_id, household_id in (
        HouseholdMember.objects.filter(left_on__isnull=True, person__in=children)
        .order_by("person_id", "pk")
        .values_list("person_id", "household_id")
    ):
        kids[person_id].household = kids[person_id].household or household_id
    current = Involvement.objects.current().filter(person__in=children)
    for person_id, team_id, agency_id in (
        current.filter(capacity=Capacity.SCHOOL)
        .order_by("started_on", "pk")
        .values_list("person_id", "team_id", "team__agency_id")
    ):
        kids[person_id].school_team, kids[person_id].school_agency = team_id, agency_id
    for person_id in current.filter(capacity__in=CARE_CAPACITIES).values_list(
        "person_id", flat=True
    ):
        kids[person_id].cared = True
    return list(kids.values())


@dataclass
class _Teams:
    police_desk: Team | None
    edt: Team | None
    interviews: Team | None
    by_pk: dict[int, Team] = field(default_factory=dict)


def _teams() -> _Teams:
    def first(service: str) -> Team | None:
        return (
            Team.objects.filter(service=service, archived_on__isnull=True)
            .select_related("agency")
            .order_by("pk")
            .first()
        )

    return _Teams(
        police_desk=first(Service.POLICE_MASH),
        edt=first(Service.EMERGENCY_DUTY),
        interviews=first(Service.RETURN_INTERVIEWS),
    )


def _dealt(rng: random.Random, quotas: dict[str, float], n: int) -> list[str]:
    """`n` outcomes in the quotas' shares (largest remainders), shuffled."""
    exact = {k: share * n for k, share in quotas.items()}
    dealt = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - dealt[k], reverse=True)[
        : n - sum(dealt.values())
    ]:
        dealt[k] += 1
    outcomes = [k for k, m in dealt.items() for _ in range(m)]
    rng.shuffle(outcomes)
    return outcomes


def _in_batches(model: type[_M], rows: Iterable[_M]) -> list[_M]:
    written: list[_M] = []
    batch: list[_M] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            written += model._default_manager.bulk_create(batch)
            batch = []
    if batch:
        written += model._default_manager.bulk_create(batch)
    return written


def _at(day: date, hours: float) -> datetime:
    return (datetime.combine(day, time(0, 0), tzinfo=workdays.UK) + timedelta(hours=hours)).replace(
        microsecond=0
    )


# ----- missing children ---------------------------------------------------------------

_WHERE = (
    "Outside the house after an argument at bedtime",
    "At the bus station in the town centre with older young people",
    "Leaving the children's home by the back gate after tea",
    "At the school gate at the end of the day",
    "In the park near the shopping centre",
    "At a friend's flat on the Eastfield estate",
)
_CIRCUMSTANCES = (
    "Did not come home after school and is not answering the phone; has gone missing"
    " twice before and was found in the town centre.",
    "Left after an argument about phone use and took a bag; friends say they were going"
    " to meet someone they met online.",
    "Did not return to the children's home by the agreed time of 22:00; the phone is"
    " switched off. Known to spend time with older young people.",
    "Walked out of school at lunchtime after a fight and has not been seen since.",
)
_RETURNS = (
    "Came home by themselves late at night, tired and hungry.",
    "Found by police at a friend's address and brought home.",
    "Returned to the children's home by taxi, paid for by someone the child would not name.",
    "Found by a youth worker in the town centre and taken home.",
)
_WHY = (
    "Arguments at home about rules and phone use.",
    "Wanted to be with friends; felt bored and fed up at home.",
    "Does not get on with staff at the home and wanted to see family.",
)
_WENT = ("A friend's flat on the estate", "The town centre and the park", "An older friend's car")
_WITH = ("Two friends from school", "Older young people the child would not name", "Alone")
_RISKS = (
    "Out late at night in an unsafe place; no food or money.",
    "With older young people who may be drawing the child into selling drugs.",
    "None found beyond being out overnight.",
)
_SAID_OPENING = (
    "I just needed to get away for a bit.",
    "They're my mates, they look after me.",
    "I'm fine. I don't want to talk about it.",
    "I didn't want to be there when he's drunk.",
    "My phone died, I wasn't hiding.",
    "I was at my boyfriend's, mum knows him.",
    "Someone said they'd give me money to take a bag across town.",
    "I hate it at the home, staff don't care.",
    "I just walked and walked.",
    "I wanted to see my dad.",
)
_SAID_ENDING = (
    "Nobody listens at home.",
    "I'd do it again.",
    "I won't say who I was with.",
    "I slept at the bus station.",
    "I'm not in trouble, am I?",
    "I was scared to come back.",
    "",
)
_REFUSED = (
    "Said they did not want to talk to anyone about it and asked to be left alone.",
    "Would not come to the door; mum said they are fed up of being asked questions.",
    "Said 'I've told the police already, I'm not saying it again.'",
)


@dataclass
class _Source:
    team: Team
    user: User
    police: bool
    role: str
    names: Sequence[str]


class _Missing:
    def __init__(
        self,
        *,
        kids: list[_Kid],
        end: datetime,
        rng: random.Random,
        teams: _Teams,
        users: dict[str, User],
    ) -> None:
        self.rng, self.end, self.teams, self.users = rng, end, teams, users
        self.start = end - _YEAR
        as_of = end.astimezone(workdays.UK).date()
        self.pool = [k for k in kids if 11 <= (as_of - k.born).days / 365.25 < 18] or kids
        self.sources: dict[str, _Source] = {}
        police, edt = users.get("tom.police"), users.get("eddie.edt")
        if teams.police_desk is not None and police is not None:
            self.sources["police"] = _Source(
                teams.police_desk, police, True, "Police constable", ("PC Jordan", "PC Walsh")
            )
        if teams.edt is not None and edt is not None:
            self.sources["edt"] = _Source(teams.edt, edt, False, "Parent", ("Mum", "Dad"))
            self.sources["home"] = _Source(
                teams.edt,
                edt,
                False,
                "Residential care worker, Oakfield children's home",
                ("Jo Pearce", "Marcus Hill"),
            )
        dsl = users.get("dana.dsl")
        self.pupils: list[_Kid] = []
        if dsl is not None and dsl.team is not None:
            self.pupils = [k for k in self.pool if k.school_team == dsl.team_id]
            if self.pupils:
                self.sources["school"] = _Source(
                    dsl.team, dsl, False, "Designated safeguarding lead", (dsl.get_full_name(),)
                )

    def _source(self) -> str:
        r = self.rng.random()
        for key, upto in (
            ("police", POLICE_SHARE),
            ("edt", POLICE_SHARE + EDT_SHARE),
            ("home", POLICE_SHARE + EDT_SHARE + CHILDRENS_HOME_SHARE),
            ("school", 1.0),
        ):
            if r < upto and key in self.sources:
                return key
        return next(iter(self.sources))

    def _when_seen(self, source: str, day: date) -> datetime:
        if source == "school" and workdays.is_working_day(day):
            return _at(day, self.rng.uniform(9, 15))
        return _at(day, self.rng.uniform(15, 23.5))

    def _plan(self, count: int) -> list[tuple[_Kid, datetime]]:
        """(child, when last seen): a few children missing three or four times within
        90 days, the rest once (some twice) in the year."""
        rng = self.rng
        days = (self.end - self.start).days
        planned: list[tuple[_Kid, datetime]] = []
        repeaters = count // EPISODES_PER_REPEAT_CHILD if count >= 6 else 0
        repeaters = max(repeaters, 1) if count >= 6 else 0
        chosen = rng.sample(self.pool, min(len(self.pool), repeaters))
        for kid in chosen:
            first = self.start + timedelta(days=rng.uniform(0, days - 80))
            for n in range(rng.choice((3, 3, 4))):
                if len(planned) < count:
                    planned.append((kid, first + timedelta(days=n * rng.uniform(12, 25))))
        while len(planned) < count:
            kid = rng.choice(self.pool)
            planned.append((kid, self.start + timedelta(days=rng.uniform(0, days))))
        return planned

    def write(self, count: int) -> dict[str, int]:
        if count <= 0 or not self.sources or self.teams.police_desk is None:
            return {}
        rng = self.rng
        desk = self.teams.police_desk
        police_user = self.users.get("tom.police")
        rhi_user = self.users.get("rita.rhi")
        episodes: list[MissingEpisode] = []
        for kid, around in self._plan(count):
            source_key = self._source()
            source = self.sources[source_key]
            if source_key == "school":
                kid = rng.choice(self.pupils)
            seen = self._when_seen(source_key, around.astimezone(workdays.UK).date())
            reported = (seen + timedelta(hours=rng.uniform(0.5, 5))).replace(microsecond=0)
            if reported >= self.end:
                continue
            notified = None if source.police else reported
            if source.police:
                acknowledged: datetime | None = reported
                escalated = None
            elif rng.random() < ESCALATED_SHARE:
                escalated = reported + timedelta(minutes=settings.MISSING_POLICE_ACK_MINUTES)
                acknowledged = escalated + timedelta(minutes=rng.uniform(10, 90))
            else:
                escalated = None
                acknowledged = reported + timedelta(minutes=rng.uniform(3, 50))
            if acknowledged is not None and acknowledged > self.end:
                acknowledged = None
            if escalated is not None and escalated > self.end:
                escalated = None
            hours = min(48.0, rng.lognormvariate(2.2, 0.9)) if rng.random() < 0.93 else 70.0
            returned: datetime | None = (reported + timedelta(hours=max(1.0, hours))).replace(
                microsecond=0
            )
            if returned is not None and returned > self.end:
                returned = None
            risk = rng.choices(
                (Risk.HIGH, Risk.MEDIUM, Risk.LOW, Risk.NO_APPARENT_RISK), (12, 58, 25, 5)
            )[0]
            n = len(episodes) + 1
            episodes.append(
                MissingEpisode(
                    person_id=kid.id,
                    reported_on=reported,
                    reported_by=source.user,
                    reporting_team=source.team,
                    reporter_name=rng.choice(source.names),
                    reporter_role=source.role,
                    reporter_phone=source.team.phone or "0300 555 0100",
                    last_seen_at=seen,
                    last_seen_where=rng.choice(_WHERE),
                    circumstances=rng.choice(_CIRCUMSTANCES),
                    risk=risk,
                    police_ref=f"NBMIS/{seen:%y}/{n:05d}" if source.police else "",
                    reported_by_police=source.police,
                    police_team=desk,
                    police_notified_on=notified,
                    police_acknowledged_on=acknowledged,
                    police_acknowledged_by=police_user if acknowledged is not None else None,
                    police_escalated_on=escalated,
                    returned_on=returned,
                    return_details=rng.choice(_RETURNS) if returned is not None else "",
                    return_recorded_by=source.user if returned is not None else None,
                    created_on=reported,
                    created_by=source.user,
                )
            )
        episodes.sort(key=lambda e: e.reported_on)
        episodes = _in_batches(MissingEpisode, episodes)
        interviews = self._interviews(episodes, rhi_user)
        flags = self._flags(episodes, interviews)
        events = history_store(self._chronology(episodes, interviews))
        return {
            "chronology_events": events,
            "episodes": len(episodes),
            "still_missing": sum(e.returned_on is None for e in episodes),
            "interviews": len(interviews),
            "interviews_open": sum(i.state == InterviewState.ASSIGNED for i in interviews),
            "flags": len(flags),
        }

    def _interviews(
        self, episodes: list[MissingEpisode], rhi_user: User | None
    ) -> list[ReturnHomeInterview]:
        rng = self.rng
        team = self.teams.interviews
        cared = {k.id for k in self.pool if k.cared}
        returned = [e for e in episodes if e.returned_on is not None]
        warn = missing.interview_warning_before()
        outcomes = _dealt(rng, INTERVIEW_QUOTAS, len(returned))
        # What is still to be done is the latest work: the interviews due most recently
        # (a few of them overdue), never one due months ago.
        still_open = outcomes.count("open")
        outcomes = [o if o != "open" else "late" for o in outcomes]
        for n in range(len(returned) - 1, -1, -1):
            back = returned[n].returned_on
            assert back is not None
            if still_open == 0 or missing.interview_due(back) < self.end - STILL_OPEN_FOR:
                break
            outcomes[n] = "open"
            still_open -= 1
        rows = []
        for episode, outcome in zip(returned, outcomes, strict=True):
            back = episode.returned_on
            assert back is not None
            due = missing.interview_due(back)
            if outcome in ("on_time", "refused"):
                offered: datetime | None = back + timedelta(hours=rng.uniform(4, 66))
            elif outcome == "late":
                offered = due + timedelta(hours=rng.uniform(3, 72))
            else:
                offered = None
            if offered is not None and offered > self.end:
                offered = None
            done = offered + timedelta(hours=rng.uniform(0, 2)) if offered else None
            if done is not None and done > self.end:
                offered = done = None
            state = (
                InterviewState.ASSIGNED
                if done is None
                else InterviewState.REFUSED
                if outcome == "refused"
                else InterviewState.COMPLETED
            )
            completed = state == InterviewState.COMPLETED
            exploited = completed and rng.random() < EXPLOITATION_SHARE
            cse = exploited and rng.random() < 0.5
            open_at = done or self.end
            rows.append(
                ReturnHomeInterview(
                    episode=episode,
                    person_id=episode.person_id,
                    due_on=due,
                    state=state,
                    assigned_team=team,
                    assigned_to=rhi_user,
                    assigned_on=back if team is not None else None,
                    warned_on=due - warn if due - warn <= open_at else None,
                    overdue_on=due if due <= open_at else None,
                    offered_on=offered.replace(microsecond=0) if offered else None,
                    completed_on=done.replace(microsecond=0) if done else None,
                    completed_by=rhi_user if done else None,
                    why_left=rng.choice(_WHY) if completed else "",
                    where_went=rng.choice(_WENT) if completed else "",
                    with_whom=rng.choice(_WITH) if completed else "",
                    risks=rng.choice(_RISKS) if completed else "",
                    child_said=_said(rng) if completed else "",
                    cse_indicators=cse,
                    cce_indicators=exploited and not cse,
                    refused_reason=rng.choice(_REFUSED) if state == InterviewState.REFUSED else "",
                    shared_with_police_on=done.replace(microsecond=0) if done else None,
                    shared_with_social_worker_on=done.replace(microsecond=0)
                    if done and episode.person_id in cared
                    else None,
                    created_on=back,
                    created_by=episode.return_recorded_by,
                )
            )
        return _in_batches(ReturnHomeInterview, rows)

    def _chronology(
        self, episodes: list[MissingEpisode], interviews: list[ReturnHomeInterview]
    ) -> Iterator[ChronologyEvent]:
        """The report, the return and the interview on the child's chronology, as the
        missing children's services write them."""
        persons = Person.objects.in_bulk({e.person_id for e in episodes})
        by_episode = {i.episode_id: i for i in interviews}
        for episode in episodes:
            person = persons[episode.person_id]
            team, desk = episode.reporting_team, episode.police_team
            assert team is not None
            yield chronology_entry(
                kind=EventKind.MISSING,
                person=person,
                moment=episode.last_seen_at,
                summary=f"Reported missing by {team.named}; risk"
                f" {episode.get_risk_display().lower()}. Last seen {episode.last_seen_where}."
                f"\n{episode.circumstances}",
                agency=team.agency,
                recorder=episode.reported_by,
                reference=f"missing-{episode.pk}-reported",
            )
            if episode.police_notified_on is not None and desk is not None:
                yield chronology_entry(
                    kind=EventKind.MISSING,
                    person=person,
                    moment=episode.police_notified_on,
                    summary=f"TellOnce told {desk.name} ({desk.agency.name}) that"
                    f" {person.given_name} is missing.",
                    agency=team.agency,
                    recorder=episode.reported_by,
                    reference=f"missing-{episode.pk}-police-notified",
                )
            officer = episode.police_acknowledged_by
            if (
                not episode.reported_by_police
                and episode.police_acknowledged_on is not None
                and officer is not None
                and officer.team is not None
            ):
                yield chronology_entry(
                    kind=EventKind.MISSING,
                    person=person,
                    moment=episode.police_acknowledged_on,
                    summary=f"{officer.get_full_name()}, {officer.team.name}, acknowledged the"
                    f" report that {person.given_name} is missing.",
                    agency=officer.team.agency,
                    recorder=officer,
                    reference=f"missing-{episode.pk}-police-acknowledged",
                )
            interview = by_episode.get(episode.pk)
            if episode.returned_on is None or interview is None:
                continue
            assert episode.return_recorded_by is not None
            with_whom = (
                f", with {interview.assigned_team.named}."
                if interview.assigned_team
                else "; not yet assigned."
            )
            yield chronology_entry(
                kind=EventKind.MISSING_RETURN,
                person=person,
                moment=episode.returned_on,
                summary=f"Returned after being missing since {when_said(episode.last_seen_at)}."
                f" {episode.return_details}\nReturn home interview due by"
                f" {when_said(interview.due_on)}{with_whom}",
                agency=team.agency,
                recorder=episode.return_recorded_by,
                reference=f"missing-{episode.pk}-returned",
            )
            if interview.completed_on is None or interview.completed_by is None:
                continue
            by = interview.completed_by
            desk = interview.assigned_team
            done_by = f"{by.get_full_name()} ({desk.name if desk else ''})"
            if interview.state == InterviewState.REFUSED:
                said = (
                    f"Return home interview offered by {done_by} and refused:"
                    f" {interview.refused_reason}"
                )
            else:
                factors = interview.exploitation_factors
                said = (
                    f"Return home interview done by {done_by}."
                    + (f" Signs of {' and '.join(factors)}." if factors else "")
                    + " Shared in writing with the police"
                    + (" and the social worker." if interview.shared_with_social_worker_on else ".")
                )
            yield chronology_entry(
                kind=EventKind.RETURN_INTERVIEW,
                person=person,
                moment=interview.completed_on,
                summary=said,
                agency=desk.agency if desk else team.agency,
                recorder=by,
                reference=f"missing-{episode.pk}-interview",
            )

    def _flags(
        self, episodes: list[MissingEpisode], interviews: list[ReturnHomeInterview]
    ) -> list[MissingPatternFlag]:
        """The flags `missing.services` raises: three episodes in 90 days, and signs of
        exploitation in an interview."""
        seen: dict[Any, list[datetime]] = defaultdict(list)
        flags = []
        window = timedelta(days=PATTERN_DAYS)
        for episode in sorted(episodes, key=lambda e: e.last_seen_at):
            times = seen[episode.person_id]
            times.append(episode.last_seen_at)
            count = sum(1 for t in times if t >= episode.last_seen_at - window)
            if count >= PATTERN_EPISODES:
                flags.append(
                    MissingPatternFlag(
                        person_id=episode.person_id,
                        reason=FlagReason.REPEATED,
                        detail=f"Missing {count} times in {PATTERN_DAYS} days (latest last"
                        f" seen {timezone.localtime(episode.last_seen_at):%-d %B %Y %H:%M}).",
                        raised_on=episode.reported_on,
                        episode=episode,
                        created_on=episode.reported_on,
                        created_by=episode.reported_by,
                    )
                )
        for interview in interviews:
            if interview.cse_indicators or interview.cce_indicators:
                assert interview.completed_on is not None
                flags.append(
                    MissingPatternFlag(
                        person_id=interview.person_id,
                        reason=FlagReason.EXPLOITATION,
                        detail="The return home interview found signs of "
                        + " and ".join(interview.exploitation_factors)
                        + ".",
                        raised_on=interview.completed_on,
                        episode=interview.episode,
                        interview=interview,
                        created_on=interview.completed_on,
                        created_by=interview.completed_by,
                    )
                )
        return _in_batches(MissingPatternFlag, flags)


# ----- Operation Encompass ------------------------------------------------------------

_PLACES = (
    "The family home, Eastfield estate",
    "The family home, Station Road",
    "A flat above the shops on the High Street",
    "The family home, Millbrook Avenue",
)
#: How a child present at an incident seemed, by age band; what an older child said,
#: put together from parts so that incidents do not share one quote.
_SEEN = {
    "baby": (
        "Asleep in the cot throughout; officers checked the baby was breathing and warm.",
        "Crying in a high chair in the kitchen where it happened; settled by a neighbour.",
        "Being held by mum during the incident; unhurt, with a wet nappy.",
        "Awake and screaming in the bedroom; calmed when picked up by grandma.",
        "In a pram in the hallway; alert, no marks seen.",
        "On the sofa beside broken glass; unhurt, and checked over by paramedics.",
        "Feeding from a bottle in mum's arms; quiet, watching the officers.",
        "Asleep in a car seat in the hall, coat still on; woke and cried.",
    ),
    "child": (
        "Was upstairs and heard the shouting; came down crying when officers arrived.",
        "Was asleep and did not wake; officers checked on them.",
        "Hid in the bedroom with a younger sibling; quiet and withdrawn.",
        "Sitting on the stairs in pyjamas, holding a teddy; would not speak to officers.",
        "Clinging to mum and shaking; wet themselves during the incident.",
        "Watching cartoons loudly in the front room with the door shut.",
        "Hiding under the kitchen table; had to be coaxed out.",
        "Came to the door in school uniform at 21:00, holding a younger sibling's hand.",
    ),
    "teenager": (
        "Had locked themselves in the bathroom with a younger sibling.",
        "Tried to pull the adults apart and had a scratch to the arm.",
        "Dialled 999 themselves; calm but angry with officers for being slow.",
        "Was in their room with headphones on; would not come out.",
        "Standing in the kitchen doorway, white and silent.",
        "Filming the incident on their phone; shaking and tearful afterwards.",
        "Out when officers arrived; came home during the visit and was angry.",
        "Had taken the younger children to a neighbour's before calling the police.",
    ),
}
_WHO = ("Dad", "Mum's boyfriend", "My stepdad", "Mum's partner", "Mum", "My brother")
_DID = (
    "was shouting at mum again",
    "threw a plate at the wall",
    "pushed mum into the door",
    "broke the TV",
    "said he'd kill her",
    "grabbed mum by the hair",
    "smashed my phone",
    "was drunk and screaming",
)
_FELT = (
    "I was scared.",
    "It happens every weekend.",
    "I just want it to stop.",
    "I don't want him to come back.",
    "I put my music on so I couldn't hear.",
    "Don't tell him I told you.",
    "",
)
_NOT_PRESENT = (
    "Was at grandma's overnight; not present.",
    "Staying with a friend that night; not present.",
    "At dad's for the weekend; not present.",
)


def _said(rng: random.Random) -> str:
    words = f"{rng.choice(_SAID_OPENING)} {rng.choice(_SAID_ENDING)}".strip()
    return f"'{words}'"


def _voice(rng: random.Random, age: float) -> str:
    """What an officer saw of a child present, and what a child of five or more said."""
    band = "baby" if age < 2 else "child" if age < 11 else "teenager"
    seen = rng.choice(_SEEN[band])
    if age < 5 or rng.random() < 0.4:
        return seen
    words = f"{rng.choice(_WHO)} {rng.choice(_DID)}. {rng.choice(_FELT)}".strip()
    return f"{seen} Told officers: '{words}'"


class _Encompass:
    def __init__(
        self, *, kids: list[_Kid], end: datetime, rng: random.Random, users: dict[str, User]
    ) -> None:
        self.rng, self.end, self.users = rng, end, users
        self.start = end - _YEAR
        homes: dict[Any, list[_Kid]] = defaultdict(list)
        for kid in kids:
            if kid.household is not None:
                homes[kid.household].append(kid)
        #: Households with a child at school, the pupils first.
        self.households = [
            sorted(members, key=lambda k: k.school_team is None)
            for _, members in sorted(homes.items(), key=lambda item: str(item[0]))
            if any(k.school_team is not None for k in members)
        ]

    def _occurred(self) -> datetime:
        rng = self.rng
        span = (self.end - self.start - timedelta(hours=12)).total_seconds()
        day = (self.start + timedelta(seconds=rng.uniform(0, span))).astimezone(workdays.UK).date()
        hour = rng.choice((rng.uniform(17, 24), rng.uniform(17, 24), rng.uniform(0, 17)))
        return _at(day, hour)

    def write(self, count: int) -> dict[str, int]:
        from tellonce.organisations.models import Agency

        police = Agency.objects.filter(kind=AgencyKind.POLICE).order_by("pk").first()
        web, api = self.users.get("tom.police"), self.users.get("police-system")
        if count <= 0 or police is None or not self.households or (web or api) is None:
            return {}
        rng = self.rng
        late = set(rng.sample(range(count), round(LATE_SHARE * count)))
        planned: list[tuple[DomesticAbuseIncident, list[_Kid]]] = []
        for n in range(count):
            occurred = self._occurred()
            by_api = api is not None and (web is None or rng.random() < 0.7)
            recorder = api if by_api else web
            assert recorder is not None
            members = rng.choice(self.households)
            kids = members[: rng.choices((1, 2, 3), (55, 33, 12))[0]]
            planned.append(
                (
                    DomesticAbuseIncident(
                        police=police,
                        police_ref=f"NBDA/{occurred:%y}/{n + 1:06d}",
                        occurred_at=occurred,
                        place=rng.choice(_PLACES),
                        recorded_by=recorder,
                        received_on=occurred,  # set below, once the due time is known
                        channel=Channel.API if by_api else Channel.WEB,
                        created_by=recorder,
                    ),
                    kids,
                )
            )
        planned.sort(key=lambda p: p[0].occurred_at)
        incidents = _in_batches(DomesticAbuseIncident, [i for i, _ in planned])
        persons = Person.objects.in_bulk([k.id for _, kids in planned for k in kids])
        rows: list[IncidentChild] = []
        for incident, kids in planned:
            match = Match.LINKED if incident.channel == Channel.API else Match.CHOSEN
            for kid in kids:
                present = rng.random() < 0.8
                age = (incident.occurred_at.date() - kid.born).days / 365.25
                rows.append(
                    IncidentChild(
                        incident=incident,
                        person=persons[kid.id],
                        present=present,
                        voice=_voice(rng, age) if present else rng.choice(_NOT_PRESENT),
                        match=match,
                    )
                )
        rows = _in_batches(IncidentChild, rows)
        children = [
            encompass.IncidentChildPlan(
                incident=row.incident,
                details=encompass.ChildDetails(present=row.present, voice=row.voice),
                person=row.person,
                match=row.match,
                row=row,
            )
            for row in rows
        ]
        # Who is told, and by when: Operation Encompass's own rules.
        plans = encompass.notification_plans(children)
        # When the police sent it: mostly within hours, a few after the school day began.
        first_due: dict[int, datetime] = {}
        for plan in plans:
            pk = plan.child.incident.pk
            first_due[pk] = min(first_due.get(pk, plan.due_by), plan.due_by)
        for index, incident in enumerate(incidents):
            due = first_due.get(incident.pk)
            hours = rng.uniform(0.3, 5)
            received = incident.occurred_at + timedelta(hours=hours)
            if due is not None:
                if index in late:
                    received = due + timedelta(hours=rng.uniform(0.5, 6))
                elif received >= due:
                    received = due - timedelta(minutes=rng.uniform(5, 60))
                    received = max(received, incident.occurred_at + timedelta(minutes=10))
            incident.received_on = min(received, self.end).replace(microsecond=0)
            incident.created_on = incident.received_on
        DomesticAbuseIncident.objects.bulk_update(
            incidents, ["received_on", "created_on"], batch_size=BATCH
        )
        notifications = _in_batches(
            Notification,
            [
                Notification(
                    incident_child=p.child.row,
                    incident=p.child.incident,
                    person=p.child.person,
                    recipient=p.recipient,
                    school=p.school,
                    team=p.team,
                    council_reason=p.council_reason,
                    created_on=p.child.incident.received_on,
                    due_by=p.due_by,
                )
                for p in plans
            ],
        )
        alerts = self._acknowledged(notifications, plans)
        events = history_store(self._chronology(children, notifications))
        return {
            "chronology_events": events,
            "incidents": len(incidents),
            "incident_children": len(rows),
            "notifications": len(notifications),
            "alerts": len(alerts),
        }

    def _chronology(
        self, children: list[encompass.IncidentChildPlan], notifications: list[Notification]
    ) -> Iterator[ChronologyEvent]:
        """Each child's incident and notification on their chronology, in the words
        `encompass.services` writes them in."""
        for child in children:
            incident = child.incident
            present = "present" if child.details.present else "not present"
            yield chronology_entry(
                kind=EventKind.DOMESTIC_ABUSE,
                person=child.person,
                moment=incident.occurred_at.replace(second=0, microsecond=0),
                summary=f"Domestic abuse incident reported by {incident.police.name}"
                f" (reference {incident.police_ref}) at {incident.place}."
                f" The child was {present}."
                f"\nThe child's voice or presentation: {child.details.voice.strip()}",
                agency=incident.police,
                recorder=incident.recorded_by,
                reference=f"incident-{incident.police_ref}",
                system=INCIDENT_SYSTEM,
            )
        for n in notifications:
            to = (
                f"the designated safeguarding lead at {n.school.name}"
                if n.recipient == Recipient.SCHOOL and n.school
                else f"{n.team.named}"
            )
            why = f" ({n.get_council_reason_display()})" if n.council_reason else ""
            yield chronology_entry(
                kind=EventKind.ENCOMPASS,
                person=n.person,
                moment=n.created_on,
                summary=f"Operation Encompass notification of incident {n.incident.police_ref}"
                f" sent to {to}{why}, due by {when_said(n.due_by, weekday=True)}.",
                agency=n.incident.police,
                recorder=n.incident.recorded_by,
                reference=f"encompass-{n.pk}",
            )
            if n.acknowledged_on is None:
                continue
            by = n.acknowledged_by
            who = by.get_full_name() if by else "the designated safeguarding lead"
            late = " after the school day started." if n.acknowledged_on > n.due_by else "."
            yield chronology_entry(
                kind=EventKind.ENCOMPASS,
                person=n.person,
                moment=n.acknowledged_on,
                summary=f"Operation Encompass notification of incident {n.incident.police_ref}"
                f" acknowledged by {who} ({n.team.name}, {n.team.agency.name}){late}",
                agency=n.team.agency,
                recorder=by,
                reference=f"encompass-{n.pk}-acknowledged",
            )

    def _acknowledged(
        self, notifications: list[Notification], plans: list[encompass.NotificationPlan]
    ) -> list[Alert]:
        """Each notification's alert, delivered on receipt; acknowledged, chased and
        escalated as the morning went."""
        rng = self.rng
        readers: dict[int, User] = {}
        for username in ("dana.dsl", "ed.education"):
            user = self.users.get(username)
            if user is None and username == "ed.education":
                user = User.objects.filter(username=username).first()
            if user is not None and user.team_id is not None:
                readers[user.team_id] = user
        outcomes = iter(_dealt(rng, ACK_QUOTAS, len(notifications)))
        alerts = []
        for notification, plan in zip(notifications, plans, strict=True):
            child = plan.child
            delivered = (notification.created_on + timedelta(seconds=rng.uniform(20, 180))).replace(
                microsecond=0
            )
            if delivered > self.end:
                delivered = self.end
            due = notification.due_by
            start = max(due, delivered)
            outcome = next(outcomes)
            if outcome == "never" and due < self.end - STILL_OPEN_FOR:
                # A notification a school has still not acknowledged is a recent one;
                # an old one was acknowledged once the council escalated it.
                outcome = "escalated"
            chase, escalate = due + CHASE_AFTER, due + ESCALATE_AFTER
            if outcome == "prompt":
                acked: datetime | None = max(delivered, due - timedelta(minutes=40)) + timedelta(
                    minutes=rng.uniform(2, 50)
                )
            elif outcome == "chased":
                acked = max(start, chase) + timedelta(minutes=rng.uniform(5, 140))
            elif outcome == "escalated":
                acked = max(start, escalate) + timedelta(minutes=rng.uniform(20, 300))
            else:
                acked = None
            if acked is not None and acked > self.end:
                acked = None
            waited = acked or self.end
            notification.chased_on = chase if chase < waited else None
            notification.escalated_on = escalate if escalate < waited else None
            notification.acknowledged_on = acked.replace(microsecond=0) if acked else None
            reader = readers.get(notification.team_id)
            notification.acknowledged_by = reader if acked else None
            school = notification.recipient == Recipient.SCHOOL
            person = child.person
            alerts.append(
                Alert(
                    kind=AlertKind.ENCOMPASS if school else AlertKind.ENCOMPASS_COUNCIL,
                    key=f"encompass:{notification.pk}",
                    team_id=notification.team_id,
                    person=person,
                    link=f"/encompass/notifications/{notification.pk}/",
                    title=(
                        f"Operation Encompass: {person.full_name}"
                        if school
                        else f"Operation Encompass, for the council: {person.full_name}"
                    ),
                    body="\n".join(
                        f"{label}: {value}"
                        for label, value in statutory_fields(
                            person, child.incident, bool(child.details.present), child.details.voice
                        )
                    ),
                    created_on=notification.created_on,
                    delivered_on=delivered,
                    read_on=notification.acknowledged_on,
                    read_by=notification.acknowledged_by,
                )
            )
        alerts = _in_batches(Alert, alerts)
        for notification, alert in zip(notifications, alerts, strict=True):
            notification.alert = alert
        Notification.objects.bulk_update(
            notifications,
            ["alert", "acknowledged_on", "acknowledged_by", "chased_on", "escalated_on"],
            batch_size=BATCH,
        )
        return alerts
