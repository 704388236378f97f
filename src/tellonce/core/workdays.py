"""Working days and working hours, in England and Wales: every due date in TellOnce.

A working day is Monday to Friday, except the bank holidays of England and Wales (the
`holidays` package, with substitute days: Boxing Day on a Saturday is observed on the
Monday). Working hours are 09:00 to 17:00 UK time on working days.

- `due_by_working_days(received, days)`: the end of the `days`-th working day after the
  day of receipt (a MASH decision "within 1 working day" of a Friday contact is due at
  17:00 on Monday, or Tuesday after a bank holiday).
- `due_by_working_hours(received, hours)`: the moment `hours` working hours after
  receipt, counting only working hours (a red request for information received at 16:00
  on a Friday, due in 4 working hours, is due at 12:00 on Monday).
- `working_hours_between(start, end)` and `time_left(now, due)`: what a queue shows.

All times are aware datetimes; they are read and returned in UK time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

UK = ZoneInfo("Europe/London")
DAY_STARTS = time(9, 0)
DAY_ENDS = time(17, 0)
HOURS_A_DAY = 8


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> dict[date, str]:
    """England and Wales bank holidays in `year`, substitute days included."""
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """The first working day after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=UK)


def due_by_working_days(received: datetime, days: int) -> datetime:
    """The end (17:00) of the `days`-th working day after the day `received` falls on."""
    if days < 1:
        raise ValueError("a due date is at least one working day away")
    day = received.astimezone(UK).date()
    for _ in range(days):
        day = next_working_day(day)
    return _at(day, DAY_ENDS)


def _clock_starts(moment: datetime) -> datetime:
    """The first working moment at or after `moment`."""
    local = moment.astimezone(UK)
    day = local.date()
    if is_working_day(day) and local.time() < DAY_ENDS:
        return max(local, _at(day, DAY_STARTS))
    return _at(next_working_day(day), DAY_STARTS)


def due_by_working_hours(received: datetime, hours: float) -> datetime:
    """The moment `hours` working hours after `received`."""
    if hours <= 0:
        raise ValueError("a deadline is some working time away")
    moment = _clock_starts(received)
    left = timedelta(hours=hours)
    while True:
        end_of_day = _at(moment.date(), DAY_ENDS)
        if moment + left <= end_of_day:
            return moment + left
        left -= end_of_day - moment
        moment = _at(next_working_day(moment.date()), DAY_STARTS)


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours from `start` to `end` (negative if `end` is earlier)."""
    if end < start:
        return -working_hours_between(end, start)
    moment = _clock_starts(start)
    total = timedelta()
    end = end.astimezone(UK)
    while moment < end:
        end_of_day = min(_at(moment.date(), DAY_ENDS), end)
        if end_of_day > moment:
            total += end_of_day - moment
        moment = _at(next_working_day(moment.date()), DAY_STARTS)
    return total.total_seconds() / 3600


def time_left(now: datetime, due: datetime) -> str:
    """What a queue says: "3 working hours left", "2 working days left", "Overdue by 1
    working hour"."""
    hours = working_hours_between(now, due)
    amount = working_amount(hours)
    return f"Overdue by {amount}" if hours < 0 else f"{amount} left"


def working_amount(hours: float) -> str:
    """`hours` of working time (either sign) in words: "2 working days", "3 working
    hours", "30 minutes" (never less than a minute)."""
    hours = abs(hours)
    if hours >= HOURS_A_DAY:
        count, unit = round(hours / HOURS_A_DAY), "working day"
    elif hours >= 1:
        count, unit = round(hours), "working hour"
    else:
        count, unit = max(1, round(hours * 60)), "minute"
    return f"{count} {unit}{'' if count == 1 else 's'}"
