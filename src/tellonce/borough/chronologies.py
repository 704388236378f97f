"""The children's chronologies in the synthetic borough: `chronology_history_seed()`, and
`history_store()`, which the MASH's and the protocols' histories also write through.

Every event is made by the chronology app's own `chronology_entry` and stored by
`chronology_entries_store` (so an unscheduled health attendance is checked for CP-IS),
a batch at a time. What each agency tells the chronology, about the children it
knows, at the hours its people work:

- each targeted involvement starting and ending, as TellOnce writes it for an
  involvement it is told of (early help, social care, CAMHS, police, housing, the
  voluntary sector, MASH enquiries, leaving care); an A&E attendance as the
  unscheduled care it is; not the universal ones (a school place, a GP registration, health
  visiting and school nursing for every child), which would bury what matters;
- schools: attendance concerns and suspensions, on school days in school hours;
- health: children not brought to appointments (health visiting's reviews at the age
  they fall due, the GP's referrals) in clinic hours, and A&E attendances at any hour;
- the police: incidents involving the child, mostly in the evening and at night;
- homes: a move this year of a child the services know, recorded by the GP practice,
  and a family placed in temporary accommodation by housing.

A child the services work with has far more of these than one who is known only to
their school and GP, as in life. History tells no one: the CP-IS alerts of attendances
before the last two days were delivered and read by the child's social worker.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from tellonce.accounts.models import User
from tellonce.alerts.models import Alert, AlertKind, Delivery
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.chronology.services import chronology_entries_store, chronology_entry
from tellonce.core import workdays
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.mash.models import MashCase
from tellonce.organisations.models import Agency, Service, Team
from tellonce.people.models import Person, Residence

BATCH = 2_000
#: The involvements whose start and end are significant events on a chronology.
TARGETED = (
    Capacity.EARLY_HELP,
    Capacity.MASH_ENQUIRY,
    Capacity.CHILD_IN_NEED,
    Capacity.CHILD_PROTECTION,
    Capacity.LOOKED_AFTER,
    Capacity.LEAVING_CARE,
    Capacity.CAMHS,
    Capacity.POLICE_INVESTIGATION,
    Capacity.YOUTH_JUSTICE,
    Capacity.HOUSING,
    Capacity.VOLUNTARY_SERVICE,
    Capacity.AE_ATTENDANCE,
)
#: Chances a year of each event for a child on a plan (child in need, child
#: protection, looked after), for another child the services know, and for any other.
RATES = {
    "attendance": (0.6, 0.15, 0.015),
    "suspension_secondary": (0.35, 0.1, 0.015),
    "suspension_primary": (0.1, 0.03, 0.002),
    "not_brought_hv": (0.6, 0.2, 0.03),
    "not_brought_gp": (0.35, 0.08, 0.005),
    "a_and_e": (0.2, 0.03, 0.0),
    "police": (0.3, 0.05, 0.002),
}
#: The involvements of a child on a plan.
PLANS = (Capacity.CHILD_IN_NEED, Capacity.CHILD_PROTECTION, Capacity.LOOKED_AFTER)
#: CP-IS alerts of attendances older than this are history: delivered and read.
ALERTS_LIVE_FOR = timedelta(days=2)
COUNTS = ("events", "children", "alerts")

_YEAR = timedelta(days=365)


def history_store(events: Iterable[ChronologyEvent]) -> int:
    """Store TellOnce's own entries (`chronology_entry`) a batch at a time, each
    followed up as the chronology app follows up every event."""
    stored = 0
    batch: list[ChronologyEvent] = []
    for event in events:
        batch.append(event)
        if len(batch) == BATCH:
            stored += len(chronology_entries_store(batch))
            batch = []
    if batch:
        stored += len(chronology_entries_store(batch))
    return stored


def history_alerts_read(*, end: datetime) -> int:
    """The CP-IS alerts the history's attendances raised, except the last two days':
    delivered when the attendance was recorded and read by the social worker that
    working day, as they would have been."""
    old = list(
        Alert.objects.filter(
            kind=AlertKind.CP_IS,
            read_on__isnull=True,
            chronology_event__occurred_on__lt=(end - ALERTS_LIVE_FOR).date(),
        ).select_related("chronology_event")
    )
    for alert in old:
        event = alert.chronology_event
        assert event is not None
        at = datetime.combine(event.occurred_on, event.occurred_at or time(12), tzinfo=workdays.UK)
        read = workdays.due_by_working_hours(at, 2).replace(microsecond=0)
        alert.created_on = alert.delivered_on = at
        alert.read_on, alert.read_by_id = read, alert.user_id
    Alert.objects.bulk_update(old, ["created_on", "delivered_on", "read_on", "read_by"])
    for alert in old:
        Delivery.objects.filter(alert=alert, sent_on__isnull=True).update(
            sent_on=alert.delivered_on, created_on=alert.delivered_on
        )
    return len(old)


# ----- when people work -----------------------------------------------------------


def school_day(rng: random.Random, since: date, until: date) -> date | None:
    """A day in term (a working day outside August and the Christmas fortnight)."""
    span = (until - since).days
    if span < 0:
        return None
    for _ in range(20):
        day = since + timedelta(days=rng.randint(0, span))
        if workdays.is_working_day(day) and day.month != 8 and not _christmas(day):
            return day
    return None


def working_day(rng: random.Random, since: date, until: date) -> date | None:
    span = (until - since).days
    if span < 0:
        return None
    for _ in range(20):
        day = since + timedelta(days=rng.randint(0, span))
        if workdays.is_working_day(day):
            return day
    return None


def at_hours(day: date, hours: float) -> datetime:
    return datetime.combine(day, time(0), tzinfo=workdays.UK) + timedelta(
        seconds=round(hours * 3600)
    )


def _christmas(day: date) -> bool:
    return (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 3)


def _night_hours(rng: random.Random) -> float:
    """Police incidents: mostly evenings and nights."""
    return rng.choice(
        (rng.uniform(17, 24), rng.uniform(17, 24), rng.uniform(0, 4), rng.uniform(9, 17))
    )


# ----- what agencies say ----------------------------------------------------------

_TERMS = {9: "autumn", 10: "autumn", 11: "autumn", 12: "autumn", 1: "spring", 2: "spring"}
_ATTENDANCE_ACTIONS = (
    "A letter was sent home and a meeting with the parents booked.",
    "The attendance officer visited the home; there was no answer.",
    "An attendance plan was agreed with mum, to be reviewed in four weeks.",
    "Referred to the education welfare service.",
    "Late most mornings; a member of staff now meets the child at the gate.",
    "Mum says the child has been unwell; no medical evidence has been given.",
)
_SUSPENSIONS = {
    "primary": (
        "hitting a member of staff during a dysregulated episode",
        "repeated violence towards other pupils in the playground",
        "throwing a chair in class",
    ),
    "secondary": (
        "bringing a vape and cannabis into school",
        "fighting outside the school gates",
        "persistent disruption and walking out of lessons",
        "verbal abuse towards a teacher",
        "carrying a knife in a bag (police informed)",
        "sharing an explicit image of another pupil",
    ),
}
_REINTEGRATION = (
    "A reintegration meeting was held with mum on return.",
    "Dad did not come to the reintegration meeting; a new date was offered.",
    "A pastoral support plan was agreed on return.",
    "Work was sent home; the head of year phoned each day.",
)
#: Health visiting's reviews, by the age in days they fall due.
_REVIEWS = (
    (42, "six-to-eight-week review"),
    (120, "immunisations at 16 weeks"),
    (365, "one-year development review"),
    (395, "immunisations at 12 months"),
    (760, "two-year development review"),
    (1200, "pre-school booster immunisations"),
)
_NOT_BROUGHT_FOLLOW_UP = (
    "A letter was sent with a new appointment.",
    "The health visitor phoned mum, who said she forgot; rebooked.",
    "Second time not brought: the GP and the named nurse for safeguarding told.",
    "No answer at a home visit; a card was left.",
)
_GP_APPOINTMENTS = {
    "young": (
        "a paediatric outpatient appointment for weight gain",
        "a hearing test at the audiology clinic",
        "the asthma review at the practice",
    ),
    "older": (
        "a paediatric outpatient appointment for headaches",
        "the asthma review at the practice",
        "a dental appointment under general anaesthetic",
        "a CAMHS assessment the GP had referred for",
    ),
}
_A_AND_E = {
    "baby": (
        "Brought in with a high temperature; seen and discharged home with advice.",
        "Brought in after rolling off a sofa; no injury found, discharged.",
        "A burn to the hand from a hot drink; dressed and discharged.",
    ),
    "child": (
        "A fall from a climbing frame: a sprained wrist, discharged home.",
        "An asthma attack; treated with nebulisers and discharged.",
        "Swallowed a battery; X-ray clear, discharged with advice.",
        "A cut to the head; the account of how it happened changed twice.",
    ),
    "teenager": (
        "Took an overdose of paracetamol; admitted overnight and seen by CAMHS liaison.",
        "Brought in drunk by ambulance from the park at night; discharged to mum.",
        "A hand injury from punching a wall; X-ray and discharge.",
        "Cuts to the forearm needing stitches; CAMHS liaison saw them before discharge.",
        "Assaulted in the town centre; a facial injury, police informed.",
    ),
}
_POLICE = {
    "young": (
        "Police called to the home after neighbours reported screaming; the child was"
        " present and was seen by officers, safe and well.",
        "Police attended a report of a child left alone in the flat; mum returned while"
        " officers were there.",
        "Officers attended a disturbance between the adults at the address; the child"
        " was asleep upstairs.",
    ),
    "teenager": (
        "Stopped in the town centre late at night with older youths; one of the group"
        " was carrying a knife.",
        "Arrested for shoplifting with two older young people; released on a youth caution.",
        "Found at an address known for drug supply; taken home by officers.",
        "Reported by a parent for damage at home after an argument; no further action.",
        "Victim of a robbery of a phone near the station; a statement taken.",
    ),
}


# ----- the borough as the chronology reads it ------------------------------------


@dataclass
class _Child:
    id: Any
    born: date
    known: bool = False
    planned: bool = False
    school: tuple[int, date, str] | None = None  # team, since, system
    gp: tuple[int, str] | None = None
    visited: tuple[int, str] | None = None
    police_since: list[date] = field(default_factory=list)

    def age_on(self, day: date) -> float:
        return (day - self.born).days / 365.25


class _Chronologies:
    def __init__(self, *, as_of: date, end: datetime, rng: random.Random) -> None:
        self.as_of, self.end, self.rng = as_of, end, rng
        self.since = as_of - _YEAR
        self.teams = Team.objects.select_related("agency").in_bulk()
        self.agencies = Agency.objects.in_bulk()
        self.persons: dict[Any, Person] = {}
        self.events: list[ChronologyEvent] = []
        self.children: dict[Any, _Child] = {}
        self.capacities: dict[str, str] = {
            c: Involvement(capacity=c).capacity_in_sentence for c in Capacity
        }

    def person(self, pk: Any) -> Person:
        person = self.persons.get(pk)
        if person is None:
            # The id is all an entry needs of the child (the names are loaded for the
            # attendances checked for CP-IS).
            person = self.persons[pk] = Person.from_db(DEFAULT_DB_ALIAS, ["id"], [pk])
        return person

    def add(
        self,
        kind: str,
        pk: Any,
        moment: datetime | date,
        summary: str,
        *,
        agency_id: int,
        system: str,
        involvement_id: int | None = None,
        unscheduled: bool = False,
    ) -> None:
        event = chronology_entry(
            kind=kind,
            person=self.person(pk),
            moment=moment,
            summary=summary,
            agency=self.agencies[agency_id],
            recorder=None,
            reference="",
            system=system,
        )
        # An agency's system recorded it; TellOnce's own entry for an involvement
        # names the involvement, once for each kind.
        event.recorded_by_name = system
        event.involvement_id = involvement_id
        event.unscheduled = unscheduled
        self.events.append(event)

    # ----- involvements

    def involvements(self) -> None:
        born_after = self.as_of - timedelta(days=round(18 * 365.25))
        for person_id, born in Person.objects.filter(
            date_of_birth__gt=born_after, date_of_birth__lte=self.as_of
        ).values_list("pk", "date_of_birth"):
            assert born is not None
            self.children[person_id] = _Child(person_id, born)
        written = set(
            ChronologyEvent.all_objects.filter(involvement__isnull=False).values_list(
                "involvement_id", "kind"
            )
        )
        names = {
            u.pk: u.get_full_name()
            for u in User.objects.filter(involvements__isnull=False).distinct()
        }
        live = Involvement.objects.filter(archived_on__isnull=True)
        # Where each child is at school, registered and visited: what fits the child.
        for person_id, team_id, capacity, started, system in live.filter(
            ended_on__isnull=True,
            capacity__in=(Capacity.SCHOOL, Capacity.GP, Capacity.HEALTH_VISITING),
        ).values_list("person_id", "team_id", "capacity", "started_on", "source_system"):
            child = self.children.get(person_id)
            if child is None:
                continue
            if capacity == Capacity.SCHOOL:
                child.school = (team_id, started, system)
            elif capacity == Capacity.GP:
                child.gp = (team_id, system)
            else:
                child.visited = (team_id, system)
        rows = live.filter(capacity__in=TARGETED).values_list(
            "pk",
            "person_id",
            "team_id",
            "capacity",
            "started_on",
            "ended_on",
            "end_reason",
            "practitioner_id",
            "source_system",
            "recorded_by_name",
        )
        for pk, person_id, team_id, capacity, started, ended, reason, worker, system, by in rows:
            child = self.children.get(person_id)
            if child is not None and capacity != Capacity.AE_ATTENDANCE:
                child.known = True
                child.planned = child.planned or (capacity in PLANS and ended is None)
                if capacity == Capacity.POLICE_INVESTIGATION:
                    child.police_since.append(started)
            team = self.teams[team_id]
            where = team.named
            in_capacity = self.capacities[capacity]
            system = system or "TellOnce"
            recorder = by or system
            # An A&E attendance is the attendance itself, not an involvement starting
            # and ending the next day.
            attended = capacity == Capacity.AE_ATTENDANCE
            if not attended and (pk, EventKind.INVOLVEMENT_STARTED) not in written:
                who = f"; worker {names[worker]}" if worker in names else ""
                self.add(
                    EventKind.INVOLVEMENT_STARTED,
                    person_id,
                    started,
                    f"{where} started working with them in {in_capacity}{who}",
                    agency_id=team.agency_id,
                    system=system,
                    involvement_id=pk,
                )
                self.events[-1].recorded_by_name = recorder
            if (
                not attended
                and ended is not None
                and (pk, EventKind.INVOLVEMENT_ENDED) not in written
            ):
                self.add(
                    EventKind.INVOLVEMENT_ENDED,
                    person_id,
                    ended,
                    f"{where} stopped working with them in {in_capacity}"
                    + (f": {reason}" if reason else ""),
                    agency_id=team.agency_id,
                    system=system,
                    involvement_id=pk,
                )
                self.events[-1].recorded_by_name = recorder
            if (
                capacity == Capacity.AE_ATTENDANCE
                and (pk, EventKind.HEALTH_ATTENDANCE) not in written
            ):
                self.add(
                    EventKind.HEALTH_ATTENDANCE,
                    person_id,
                    started,
                    f"Attended {where}",
                    agency_id=team.agency_id,
                    system=system,
                    involvement_id=pk,
                    unscheduled=True,
                )
                self.events[-1].recorded_by_name = recorder
        # A child the MASH has had a contact about this year is known too.
        for person_id in MashCase.objects.values_list("person_id", flat=True):
            if person_id in self.children:
                self.children[person_id].known = True

    # ----- each agency's events

    def _chance(self, child: _Child, rate: str) -> bool:
        planned, known, other = RATES[rate]
        chance = planned if child.planned else known if child.known else other
        return self.rng.random() < chance

    def _times(self, child: _Child) -> int:
        return self.rng.choice((1, 1, 2)) if child.known else 1

    def schools(self, child: _Child) -> None:
        if child.school is None:
            return
        rng = self.rng
        team_id, started, system = child.school
        agency_id = self.teams[team_id].agency_id
        since = max(self.since, started)
        if self._chance(child, "attendance"):
            for _ in range(self._times(child)):
                day = school_day(rng, since, self.as_of)
                if day is None:
                    continue
                term = _TERMS.get(day.month, "summer")
                percent = rng.randint(62, 89)
                self.add(
                    EventKind.ATTENDANCE,
                    child.id,
                    at_hours(day, rng.uniform(8.5, 16.5)),
                    f"Attendance {percent}% this {term} term: persistent absence (below"
                    f" 90%). {rng.choice(_ATTENDANCE_ACTIONS)}",
                    agency_id=agency_id,
                    system=system,
                )
        stage = "secondary" if child.age_on(self.as_of) >= 11 else "primary"
        if child.age_on(self.as_of) >= 5 and self._chance(child, f"suspension_{stage}"):
            for _ in range(self._times(child) if stage == "secondary" else 1):
                day = school_day(rng, since, self.as_of)
                if day is None:
                    continue
                days = rng.choice((1, 1, 2, 3, 5))
                self.add(
                    EventKind.EXCLUSION,
                    child.id,
                    at_hours(day, rng.uniform(10, 15.5)),
                    f"Suspended for {days} day{'s' if days > 1 else ''} for"
                    f" {rng.choice(_SUSPENSIONS[stage])}. {rng.choice(_REINTEGRATION)}",
                    agency_id=agency_id,
                    system=system,
                )

    def health(self, child: _Child, ed: Team | None) -> None:
        rng = self.rng
        if child.visited is not None and self._chance(child, "not_brought_hv"):
            team_id, system = child.visited
            due = [
                (child.born + timedelta(days=days), what)
                for days, what in _REVIEWS
                if self.since <= child.born + timedelta(days=days) <= self.as_of
            ]
            if due:
                when, what = rng.choice(due)
                day = working_day(rng, when, min(when + timedelta(days=21), self.as_of))
                if day is not None:
                    self.add(
                        EventKind.HEALTH_ATTENDANCE,
                        child.id,
                        at_hours(day, rng.uniform(9, 16)),
                        f"Was not brought to the {what} (health visiting)."
                        f" {rng.choice(_NOT_BROUGHT_FOLLOW_UP)}",
                        agency_id=self.teams[team_id].agency_id,
                        system=system,
                    )
        if child.gp is not None and self._chance(child, "not_brought_gp"):
            team_id, system = child.gp
            day = working_day(rng, max(self.since, child.born), self.as_of)
            if day is not None:
                band = "young" if child.age_on(day) < 5 else "older"
                who = "Was not brought" if child.age_on(day) < 16 else "Did not attend"
                self.add(
                    EventKind.HEALTH_ATTENDANCE,
                    child.id,
                    at_hours(day, rng.uniform(8.5, 17.5)),
                    f"{who} to {rng.choice(_GP_APPOINTMENTS[band])}; the practice wrote to"
                    " the family and the referrer was told.",
                    agency_id=self.teams[team_id].agency_id,
                    system=system,
                )
        if ed is not None and self._chance(child, "a_and_e"):
            day = self.since + timedelta(days=rng.randint(0, _YEAR.days))
            if child.born <= day <= self.as_of:
                years = child.age_on(day)
                band = "baby" if years < 2 else "child" if years < 11 else "teenager"
                self.add(
                    EventKind.HEALTH_ATTENDANCE,
                    child.id,
                    at_hours(day, rng.uniform(0, 24)),
                    f"Attended {ed.named}. {rng.choice(_A_AND_E[band])}",
                    agency_id=ed.agency_id,
                    system="Cerner Millennium",
                    unscheduled=True,
                )

    def police(self, child: _Child, police: Team | None) -> None:
        if police is None:
            return
        rng = self.rng
        days = [d for d in child.police_since if d >= child.born]
        if self._chance(child, "police"):
            days.append(self.since + timedelta(days=rng.randint(0, _YEAR.days)))
        for day in days:
            if not child.born <= day <= self.as_of:
                continue
            band = "teenager" if child.age_on(day) >= 11 else "young"
            self.add(
                EventKind.INCIDENT,
                child.id,
                at_hours(day, _night_hours(rng)),
                rng.choice(_POLICE[band]),
                agency_id=police.agency_id,
                system="Niche RMS",
            )

    def homes(self) -> None:
        rng = self.rng
        moved: dict[Any, date] = {}
        for person_id, moved_out in Residence.objects.filter(
            moved_out__gte=self.since, moved_out__lte=self.as_of
        ).values_list("person_id", "moved_out"):
            child = self.children.get(person_id)
            # A move is significant for a child the services know.
            if child is not None and child.known and moved_out is not None:
                moved[person_id] = max(moved_out, moved.get(person_id, moved_out))
        for person_id, agency_id, system, moved_in, temporary in Residence.objects.filter(
            person_id__in=list(moved), moved_out__isnull=True
        ).values_list(
            "person_id", "source_agency_id", "source_system", "moved_in", "address__line_1"
        ):
            day = moved_in or moved[person_id]
            if day > self.as_of or agency_id is None:
                continue
            self.add(
                EventKind.OTHER,
                person_id,
                at_hours(day, rng.uniform(9, 17)) if workdays.is_working_day(day) else day,
                "Moved home: the family's new address in Northbrook was recorded"
                + (" (a hostel room)" if "Room" in (temporary or "") else "")
                + ", and the old one closed.",
                agency_id=agency_id,
                system=system or "TellOnce",
            )

    def housing(self) -> None:
        """Placed in temporary accommodation: what housing's record of the family says."""
        rng = self.rng
        for person_id, team_id, started in Involvement.objects.filter(
            capacity=Capacity.HOUSING, archived_on__isnull=True
        ).values_list("person_id", "team_id", "started_on"):
            if person_id not in self.children:
                continue
            team = self.teams[team_id]
            day = working_day(rng, started, started + timedelta(days=3)) or started
            self.add(
                EventKind.OTHER,
                person_id,
                at_hours(day, rng.uniform(10, 17)),
                f"Placed in temporary accommodation by {team.agency.name} after the family"
                f" became homeless ({rng.choice(_HOMELESS)}).",
                agency_id=team.agency_id,
                system="Northgate Housing",
            )


_HOMELESS = (
    "asked to leave by family",
    "fleeing domestic abuse",
    "the end of a private tenancy",
    "rent arrears and eviction",
    "overcrowding at a relative's",
)


def chronology_history_seed(*, as_of: date, seed: int) -> dict[str, int]:
    """The significant events of the year before `as_of` (and the involvements' whole
    histories) on the borough's children's chronologies. Does nothing (all counts 0)
    if the agencies' own involvements are on the chronology already."""
    counts = dict.fromkeys(COUNTS, 0)
    if ChronologyEvent.all_objects.filter(
        kind=EventKind.INVOLVEMENT_STARTED, involvement__confirmation=Confirmation.SYSTEM_OF_RECORD
    ).exists():
        return counts
    end = min(timezone.now(), datetime.combine(as_of, time(17, 30), tzinfo=workdays.UK))
    year = _Chronologies(as_of=as_of, end=end, rng=random.Random(f"chronology-history-{seed}"))
    year.involvements()
    ed = (
        Team.objects.filter(service=Service.EMERGENCY_DEPARTMENT)
        .select_related("agency")
        .order_by("pk")
        .first()
    )
    police = (
        Team.objects.filter(service=Service.POLICE_PUBLIC_PROTECTION)
        .select_related("agency")
        .order_by("pk")
        .first()
    )
    for child in year.children.values():
        year.schools(child)
        year.health(child, ed)
        year.police(child, police)
    year.homes()
    year.housing()
    # The events' moments are the agencies'; none after the end of the day.
    events = [e for e in year.events if _moment(e) <= end]
    # The attendances checked for CP-IS need the child's name and date of birth.
    checked = Person.objects.in_bulk([e.person_id for e in events if e.unscheduled])
    for event in events:
        if event.unscheduled:
            event.person = checked[event.person_id]
    counts["events"] = history_store(events)
    counts["children"] = len({e.person_id for e in events})
    counts["alerts"] = history_alerts_read(end=end)
    return counts


def _moment(event: ChronologyEvent) -> datetime:
    return datetime.combine(event.occurred_on, event.occurred_at or time(0), tzinfo=workdays.UK)
