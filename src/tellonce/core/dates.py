"""Dates as practitioners know them: partial dates of birth ("2015", "March 2015" or
"12 March 2015"), the one wording of a moment in alerts and messages (`when_said`),
and what makes a date plausible, in one place for the pages, the API and the feeds:

- the date of an event, a contact, an episode, a chronology entry or what someone said
  (`date_problem`) lies between the person's birth (or 1900, where the birth is not
  known) and now;
- a date of birth (`birth_date_problem`) lies between 1900 and today.

Each gives the reason without the field's name ("must not be before 1900"), for the
caller to put the field's name in front."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

#: No one TellOnce records was born, or did anything, before this.
EARLIEST = date(1900, 1, 1)


class InvalidDateError(ValueError):
    pass


def date_problem(
    value: date | datetime, *, born: date | None = None, now: datetime | None = None
) -> str | None:
    """What is wrong with the date (or moment) of something that happened to a person,
    or None."""
    now = now or timezone.now()
    if isinstance(value, datetime):
        if value > now:
            return "must be in the past"
        day = timezone.localdate(value)
    else:
        if value > timezone.localdate(now):
            return "must be today or in the past"
        day = value
    if day < EARLIEST:
        return "must not be before 1900"
    if born is not None and day < born:
        return "must not be before the person's date of birth"
    return None


def birth_date_problem(value: date, *, today: date | None = None) -> str | None:
    if value > (today or timezone.localdate()):
        return "must be today or in the past"
    if value < EARLIEST:
        return "must not be before 1900"
    return None


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def from_parts(cls, day: str, month: str, year: str, *, today: date) -> PartialDate | None:
        """Read a GOV.UK date input. Blank is None; a day needs a month; a year is needed."""
        day, month, year = day.strip(), month.strip(), year.strip()
        if not (day or month or year):
            return None
        if not year:
            raise InvalidDateError("Date of birth must include a year")
        if not year.isdigit() or len(year) != 4:
            raise InvalidDateError("Year must be 4 numbers, like 2015")
        y = int(year)
        if y < 1900 or y > today.year:
            raise InvalidDateError(f"Year must be between 1900 and {today.year}")
        m = d = None
        if month:
            if not month.isdigit() or not 1 <= int(month) <= 12:
                raise InvalidDateError("Month must be a number from 1 to 12")
            m = int(month)
        if day:
            if m is None:
                raise InvalidDateError("Date of birth must include a month if it includes a day")
            if not day.isdigit() or not 1 <= int(day) <= calendar.monthrange(y, m)[1]:
                raise InvalidDateError("Day must be a real day of that month")
            d = int(day)
        partial = cls(y, m, d)
        if partial.is_complete and partial.as_date() > today:
            raise InvalidDateError("Date of birth must be today or in the past")
        return partial

    @property
    def is_complete(self) -> bool:
        return self.month is not None and self.day is not None

    def as_date(self) -> date:
        assert self.month is not None and self.day is not None
        return date(self.year, self.month, self.day)

    def swapped(self) -> date | None:
        """The same date with day and month transposed, if that is a real date."""
        if not self.is_complete or self.day is None or self.day > 12 or self.day == self.month:
            return None
        assert self.month is not None
        try:
            return date(self.year, self.day, self.month)
        except ValueError:
            return None

    def closeness(self, other: date | None) -> float:
        """How well a recorded date of birth fits this one, 0 to 1."""
        if other is None:
            return 0.5
        if self.month is None:
            return (
                1.0
                if other.year == self.year
                else (0.6 if abs(other.year - self.year) == 1 else 0.0)
            )
        if self.day is None:
            if (other.year, other.month) == (self.year, self.month):
                return 1.0
            return 0.6 if other.year == self.year else 0.0
        if other == self.as_date():
            return 1.0
        if other == self.swapped():
            return 0.85
        differing = sum((other.year != self.year, other.month != self.month, other.day != self.day))
        return 0.7 if differing == 1 else 0.0

    def __str__(self) -> str:
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{calendar.month_name[self.month]} {self.year}"
        return f"{self.day} {calendar.month_name[self.month]} {self.year}"


def when_said(moment: datetime, *, weekday: bool = False) -> str:
    """A moment as alerts, messages and errors say it, in UK time: "24 December 2026,
    17:00", or with the day ("Thursday 24 December 2026, 17:00") where the day of the
    week is what the reader acts on (a school day's deadline)."""
    return f"{timezone.localtime(moment):{'%A ' if weekday else ''}%-d %B %Y, %H:%M}"
