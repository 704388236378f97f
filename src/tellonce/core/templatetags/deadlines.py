"""Every deadline said the same way, on every page: the time left while there is time;
after it, a red "Overdue" tag and by how much ("Overdue by 2 working days"), so lateness
is said in words and never by colour alone; nothing (or `otherwise`, "Decided") once
the work is done.

    {% load deadlines %}
    {% deadline case.decision_due working=True open=case.is_open otherwise="Decided" %}
    {% deadline rfi.due_on working=True done=rfi.is_answered %}
    {% deadline interview.due_on open=interview.is_open %}
    {% deadline action.due_on done=action.done_on %}

`working=True` counts working time, as the MASH's timescales do (`core.workdays`:
"3 working hours left"); otherwise the clock counts, as for a return home interview
within 72 hours or an Operation Encompass notification before the school day ("2 days,
5 hours left"). A date (not a time) is due at the end of that day: "Due today", "3 days
left", "Overdue by 1 day".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince, timeuntil

from tellonce.core import workdays

register = template.Library()


@dataclass(frozen=True)
class Deadline:
    """Where a deadline stands: overdue or not, and the words for how far it is."""

    overdue: bool
    words: str  # "3 working hours left", "by 2 days", "since Fri 4 Dec, 17:00"


def deadline_state(due: datetime | date, *, now: datetime, working: bool = False) -> Deadline:
    if not isinstance(due, datetime):
        days = (due - timezone.localtime(now).date()).days
        if days == 0:
            return Deadline(False, "Due today")
        count = f"{abs(days)} day{'' if abs(days) == 1 else 's'}"
        return Deadline(True, f"by {count}") if days < 0 else Deadline(False, f"{count} left")
    if due >= now:
        if working:
            return Deadline(
                False, f"{workdays.working_amount(workdays.working_hours_between(now, due))} left"
            )
        if (due - now).total_seconds() < 60:
            return Deadline(False, "Less than a minute left")
        return Deadline(False, f"{timeuntil(due, now, depth=2)} left")
    if working:
        late = workdays.working_hours_between(due, now)
        if late * 60 < 1:
            # Late by the clock, but no working time has passed since (a Friday 17:00
            # deadline, on Saturday): say since when, not "by 1 minute".
            return Deadline(True, f"since {timezone.localtime(due):%a %-d %b, %H:%M}")
        return Deadline(True, f"by {workdays.working_amount(late)}")
    if (now - due).total_seconds() < 60:
        return Deadline(True, "by less than a minute")
    return Deadline(True, f"by {timesince(due, now, depth=2)}")


@register.simple_tag
def deadline(
    due: datetime | date | None,
    *,
    working: bool = False,
    done: object = False,
    open: object = True,  # reads as the template says it: open=case.is_open
    otherwise: str = "",
) -> SafeString:
    """The time left to `due`, or how late it is; `otherwise` once done (`done` is
    truthy, or `open` falsy) or where there is no deadline."""
    if due is None or done or not open:
        return format_html("{}", otherwise)
    state = deadline_state(due, now=timezone.now(), working=working)
    if state.overdue:
        return format_html(
            '<strong class="govuk-tag govuk-tag--red">Overdue</strong> {}', state.words
        )
    return format_html('<span class="tellonce-deadline">{}</span>', state.words)
