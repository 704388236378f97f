"""Every deadline is said the same way: the time left while there is time, then a red
"Overdue" tag and by how much, in words; working time where the MASH counts working
time, the clock where the rule does (a return home interview within 72 hours)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine
from django.template import Context, Template

from tellonce.core.templatetags.deadlines import deadline_state
from tellonce.core.workdays import UK

OVERDUE_TAG = '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'


def uk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UK)  # type: ignore[misc]


def _said(template: str, **context: object) -> str:
    text = Template("{% load deadlines %}" + template).render(Context(context))
    return text.replace("\xa0", " ")


def test_a_red_request_due_at_noon_on_monday_has_working_hours_left_on_friday_afternoon():
    friday = uk(2026, 11, 27, 16, 0)
    state = deadline_state(uk(2026, 11, 30, 12, 0), now=friday, working=True)
    assert state.overdue is False and state.words == "4 working hours left"


def test_the_same_request_on_monday_afternoon_is_overdue_by_working_hours():
    state = deadline_state(uk(2026, 11, 30, 12, 0), now=uk(2026, 11, 30, 15, 0), working=True)
    assert state.overdue is True and state.words == "by 3 working hours"


def test_a_decision_due_friday_at_five_is_overdue_on_saturday_though_no_working_time_passed():
    state = deadline_state(uk(2026, 12, 4, 17, 0), now=uk(2026, 12, 5, 10, 0), working=True)
    assert state.overdue is True and state.words == "since Fri 4 Dec, 17:00"


def test_an_interview_due_in_72_hours_counts_the_clock_weekend_and_all():
    now = uk(2026, 12, 4, 18, 0)  # a Friday evening
    left = deadline_state(now + timedelta(hours=53), now=now)
    assert left.overdue is False and left.words.replace("\xa0", " ") == "2 days, 5 hours left"
    late = deadline_state(now - timedelta(days=3, hours=2), now=now)
    assert late.overdue is True and late.words.replace("\xa0", " ") == "by 3 days, 2 hours"


def test_an_action_due_on_a_date_is_due_today_then_overdue_by_days():
    with time_machine.travel(uk(2026, 12, 4, 18, 0), tick=False):
        assert _said("{% deadline due %}", due=date(2026, 12, 4)).endswith(">Due today</span>")
        assert ">3 days left<" in _said("{% deadline due %}", due=date(2026, 12, 7))
        assert _said("{% deadline due %}", due=date(2026, 12, 3)) == f"{OVERDUE_TAG} by 1 day"


def test_the_tag_says_overdue_in_words_beside_the_red_tag_never_colour_alone():
    with time_machine.travel(uk(2026, 11, 30, 15, 0), tick=False):
        late = _said("{% deadline due working=True %}", due=uk(2026, 11, 30, 12, 0))
        on_time = _said("{% deadline due working=True %}", due=uk(2026, 12, 2, 12, 0))
    assert late == f"{OVERDUE_TAG} by 3 working hours"
    assert on_time == '<span class="tellonce-deadline">2 working days left</span>'


def test_done_work_says_what_it_was_told_to_say_and_no_deadline():
    with time_machine.travel(uk(2026, 11, 30, 15, 0), tick=False):
        due = uk(2026, 11, 30, 12, 0)
        assert _said("{% deadline due done=True %}", due=due) == ""
        decided = '{% deadline due working=True open=False otherwise="Decided" %}'
        assert _said(decided, due=due) == "Decided"
        assert _said('{% deadline due otherwise="None set" %}', due=None) == "None set"
