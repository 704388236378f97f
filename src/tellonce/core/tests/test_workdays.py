"""Due dates count working days and hours in England and Wales: weekends, Christmas,
Easter and the August bank holiday do not count."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tellonce.core.workdays import (
    UK,
    due_by_working_days,
    due_by_working_hours,
    is_working_day,
    time_left,
    working_hours_between,
)


def uk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UK)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 1), True),  # a Tuesday
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 28), False),  # Boxing Day falls on a Saturday: Monday instead
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 8, 31), False),  # the August bank holiday
        (date(2027, 1, 1), False),  # New Year's Day
    ],
)
def test_working_days(day, working):
    assert is_working_day(day) is working


def test_a_decision_due_in_one_working_day():
    # Received on a Tuesday morning: due at the end of Wednesday.
    assert due_by_working_days(uk(2026, 12, 1, 10, 0), 1) == uk(2026, 12, 2, 17, 0)
    # Received on a Friday evening: due at the end of Monday.
    assert due_by_working_days(uk(2026, 11, 27, 18, 30), 1) == uk(2026, 11, 30, 17, 0)
    # Received on Christmas Eve: Christmas, Boxing Day (observed on Monday 28th) and the
    # weekend do not count, so it is due at the end of Tuesday 29 December.
    assert due_by_working_days(uk(2026, 12, 24, 15, 0), 1) == uk(2026, 12, 29, 17, 0)
    # Received on the Thursday before Easter: due the Tuesday after.
    assert due_by_working_days(uk(2026, 4, 2, 11, 0), 1) == uk(2026, 4, 7, 17, 0)
    # Received on the Friday before the August bank holiday: due on Tuesday.
    assert due_by_working_days(uk(2026, 8, 28, 9, 30), 1) == uk(2026, 9, 1, 17, 0)


def test_an_initial_conference_fifteen_working_days_after_a_strategy_discussion():
    # 15 working days from Friday 11 December 2026 crosses Christmas and New Year.
    # Mon 14 to Thu 24 December are 9; Tue 29 to Thu 31 make 12; Mon 4 to Wed 6 January 15.
    assert due_by_working_days(uk(2026, 12, 11, 14, 0), 15) == uk(2027, 1, 6, 17, 0)


def test_deadlines_in_working_hours():
    # A red request at 16:00 on a Friday, due in 4 working hours: 12:00 on Monday.
    assert due_by_working_hours(uk(2026, 11, 27, 16, 0), 4) == uk(2026, 11, 30, 12, 0)
    # At 11:00 on a Tuesday: 15:00 the same day.
    assert due_by_working_hours(uk(2026, 12, 1, 11, 0), 4) == uk(2026, 12, 1, 15, 0)
    # On a Saturday night the clock starts on Monday morning.
    assert due_by_working_hours(uk(2026, 11, 28, 23, 10), 4) == uk(2026, 11, 30, 13, 0)
    # An amber day (8 working hours) from 10:00 on Christmas Eve: Christmas, the
    # weekend and Boxing Day observed pass, so 10:00 on Tuesday 29 December.
    assert due_by_working_hours(uk(2026, 12, 24, 10, 0), 8) == uk(2026, 12, 29, 10, 0)


def test_the_clock_counts_across_the_change_to_summer_time():
    # British Summer Time starts on Sunday 29 March 2026: working hours are UK hours.
    assert due_by_working_hours(uk(2026, 3, 27, 15, 0), 4) == uk(2026, 3, 30, 11, 0)
    assert due_by_working_hours(uk(2026, 3, 27, 15, 0), 4).utcoffset().total_seconds() == 3600


def test_what_the_queue_says():
    due = due_by_working_hours(uk(2026, 11, 27, 16, 0), 4)
    assert working_hours_between(uk(2026, 11, 27, 16, 0), due) == 4
    assert time_left(uk(2026, 11, 27, 16, 0), due) == "4 working hours left"
    assert time_left(uk(2026, 11, 30, 11, 30), due) == "30 minutes left"
    assert time_left(uk(2026, 11, 30, 13, 0), due) == "Overdue by 1 working hour"
    assert time_left(uk(2026, 12, 1, 10, 0), uk(2026, 12, 3, 10, 0)) == "2 working days left"
