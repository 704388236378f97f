"""School days: a working day (no weekend, no bank holiday) inside one of the school's
terms. A school without a calendar of its own follows the borough's. Past the last
term a calendar holds, every working day counts (next year's dates not yet published:
telling a school too early is better than too late)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings

from tellonce.core import workdays
from tellonce.encompass.models import Term, TermCalendar

#: How far ahead a school day is looked for (a summer holiday is about 6 weeks).
_HORIZON_DAYS = 200


@dataclass
class Calendars:
    """Every calendar's terms, loaded once for a batch of incidents."""

    terms: dict[int | None, list[tuple[date, date]]] = field(default_factory=dict)
    by_school: dict[int, int] = field(default_factory=dict)
    borough: int | None = None

    @classmethod
    def load(cls) -> Calendars:
        calendars = cls()
        for calendar in TermCalendar.objects.all():
            calendars.terms[calendar.pk] = []
            if calendar.school_id is None:
                if calendars.borough is None:
                    calendars.borough = calendar.pk
            else:
                calendars.by_school[calendar.school_id] = calendar.pk
        for term in Term.objects.order_by("starts_on"):
            calendars.terms[term.calendar_id].append((term.starts_on, term.ends_on))
        return calendars

    def of(self, school_id: int | None) -> list[tuple[date, date]]:
        if school_id is not None and school_id in self.by_school:
            return self.terms[self.by_school[school_id]]
        return self.terms.get(self.borough, [])

    def is_school_day(self, day: date, school_id: int | None) -> bool:
        return is_school_day(day, self.of(school_id))


def is_school_day(day: date, terms: Iterable[tuple[date, date]]) -> bool:
    if not workdays.is_working_day(day):
        return False
    terms = list(terms)
    if not terms or day > terms[-1][1]:
        return True
    return any(start <= day <= end for start, end in terms)


def day_starts(day: date) -> datetime:
    return datetime.combine(day, settings.ENCOMPASS_SCHOOL_DAY_STARTS, tzinfo=workdays.UK)


def next_school_day_start(
    moment: datetime, calendars: Calendars, school_id: int | None
) -> datetime:
    """The start of the first school day that starts after `moment`."""
    day = moment.astimezone(workdays.UK).date()
    for _ in range(_HORIZON_DAYS):
        if calendars.is_school_day(day, school_id) and day_starts(day) > moment:
            return day_starts(day)
        day += timedelta(days=1)
    raise ValueError("no school day in the next 200 days: check the term calendar")


def next_working_day_start(moment: datetime) -> datetime:
    """The start (school-day time) of the first working day that starts after `moment`:
    when the council's education team is told."""
    day = moment.astimezone(workdays.UK).date()
    while not (workdays.is_working_day(day) and day_starts(day) > moment):
        day += timedelta(days=1)
    return day_starts(day)


# England's term dates (a typical London borough), with half terms as gaps.
BOROUGH_TERMS: list[tuple[str, date, date]] = [
    ("Autumn term 2025, first half", date(2025, 9, 3), date(2025, 10, 17)),
    ("Autumn term 2025, second half", date(2025, 10, 27), date(2025, 12, 19)),
    ("Spring term 2026, first half", date(2026, 1, 5), date(2026, 2, 13)),
    ("Spring term 2026, second half", date(2026, 2, 23), date(2026, 3, 27)),
    ("Summer term 2026, first half", date(2026, 4, 13), date(2026, 5, 22)),
    ("Summer term 2026, second half", date(2026, 6, 1), date(2026, 7, 22)),
    ("Autumn term 2026, first half", date(2026, 9, 3), date(2026, 10, 23)),
    ("Autumn term 2026, second half", date(2026, 11, 2), date(2026, 12, 18)),
    ("Spring term 2027, first half", date(2027, 1, 4), date(2027, 2, 12)),
    ("Spring term 2027, second half", date(2027, 2, 22), date(2027, 3, 25)),
    ("Summer term 2027, first half", date(2027, 4, 12), date(2027, 5, 28)),
    ("Summer term 2027, second half", date(2027, 6, 7), date(2027, 7, 21)),
]
BOROUGH_CALENDAR = "Borough term dates"


def borough_calendar_ensure() -> TermCalendar:
    """The borough's calendar with England's term dates for 2025/26 and 2026/27."""
    calendar, _ = TermCalendar.objects.get_or_create(name=BOROUGH_CALENDAR, school=None)
    if not calendar.terms.exists():
        Term.objects.bulk_create(
            Term(calendar=calendar, name=name, starts_on=start, ends_on=end)
            for name, start, end in BOROUGH_TERMS
        )
    return calendar
