"""Late is said as late: Jack's return home interview from last week is "Overdue by 1
day" in red on Rita's worklist and on the episode, not "0 minutes"; today's has its
time left. Tom's "Missing children" list shows the episodes his desk still has to act
on, 25 a page, with a total; a page that does not exist shows the first or the last."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tellonce.audit.models import Action, AuditEvent
from tellonce.missing import services
from tellonce.missing.models import MissingEpisode, ReturnHomeInterview
from tellonce.missing.tests.test_workflow import WEB, seen

pytestmark = pytest.mark.django_db

OVERDUE = '<strong class="govuk-tag govuk-tag--red">Overdue</strong> by '


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def _episode(world, missing, *, seen_ago: timedelta, back_ago: timedelta | None = None):
    episode = services.episode_report(
        user=missing.eddie,
        person=world.jack,
        details=seen(timezone.now() - seen_ago),
        via=WEB,
    )
    if back_ago is not None:
        services.episode_return(
            user=missing.eddie,
            episode=episode,
            returned_on=timezone.now() - back_ago,
            details="Came back to Rosewood by himself.",
            via=WEB,
        )
    return episode


@pytest.fixture
def two_interviews(world, missing):
    """Jack's interview from last week's episode, a day late; and today's, due in 71 hours."""
    with time_machine.travel(timezone.now(), tick=False):
        late = _episode(world, missing, seen_ago=timedelta(days=5), back_ago=timedelta(days=4))
        soon = _episode(world, missing, seen_ago=timedelta(hours=3), back_ago=timedelta(hours=1))
        yield late, soon


def test_ritas_worklist_says_which_interview_is_overdue_and_by_how_much(
    missing, two_interviews, signed_in
):
    page = _text(signed_in(missing.rita).get("/missing/interviews/"))
    assert "0 minutes" not in page
    late, soon = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page, re.S)[1:]
    assert OVERDUE + "1 day" in late
    assert "Overdue" not in soon and "2 days, 23 hours left" in soon


def test_the_episode_page_says_overdue_or_the_time_left(missing, two_interviews, signed_in):
    late, soon = two_interviews
    rita = signed_in(missing.rita)
    assert OVERDUE + "1 day" in _text(rita.get(f"/missing/episodes/{late.pk}/"))
    on_time = _text(rita.get(f"/missing/episodes/{soon.pk}/"))
    assert "2 days, 23 hours left" in on_time and "Overdue" not in on_time


def test_a_done_interview_shows_no_deadline(missing, two_interviews, signed_in):
    late, _ = two_interviews
    interview = ReturnHomeInterview.objects.get(episode=late)
    services.interview_refuse(
        user=missing.rita, interview=interview, reason="Jack did not want to talk.", via=WEB
    )
    page = _text(signed_in(missing.rita).get(f"/missing/episodes/{late.pk}/"))
    assert "Overdue" not in page and "tellonce-deadline" not in page


# ----- Tom's "Missing children" list ------------------------------------------------


def test_toms_list_shows_what_his_desk_must_act_on_first_and_the_rest_on_request(
    world, missing, signed_in
):
    done = _episode(world, missing, seen_ago=timedelta(days=9), back_ago=timedelta(days=8))
    services.police_acknowledge(user=world.tom, episode=done, via=WEB)
    waiting = _episode(world, missing, seen_ago=timedelta(hours=2))
    tom = signed_in(world.tom)

    open_work = _text(tom.get("/missing/police/"))
    assert f"/missing/episodes/{waiting.pk}/" in open_work
    assert f"/missing/episodes/{done.pk}/" not in open_work
    assert "Showing 1 of 1" in open_work
    assert 'aria-current="page">To act on</a>' in open_work

    everything = _text(tom.get("/missing/police/?show=all"))
    assert f"/missing/episodes/{waiting.pk}/" in everything
    assert f"/missing/episodes/{done.pk}/" in everything
    assert "Showing 2 of 2" in everything
    # Not acknowledged first.
    assert everything.index(f"/episodes/{waiting.pk}/") < everything.index(f"/episodes/{done.pk}/")


def test_27_open_episodes_are_two_pages_and_a_page_that_is_not_there_is_never_an_error(
    world, missing, signed_in
):
    for hours in range(27):
        _episode(world, missing, seen_ago=timedelta(hours=hours + 1))
    tom = signed_in(world.tom)

    first = _text(tom.get("/missing/police/"))
    assert "Showing 1 to 25 of 27" in first
    assert first.count('href="/missing/episodes/') == 25
    assert 'href="?page=2" rel="next"' in first
    events = AuditEvent.objects.filter(action=Action.VIEW_LIST, actor=world.tom)
    assert events.last().detail == {"list": "police missing inbox", "people": 1}

    second = _text(tom.get("/missing/police/?page=2"))
    assert "Showing 26 to 27 of 27" in second and second.count('href="/missing/episodes/') == 2
    assert 'href="?page=1" rel="prev"' in second

    for asked, showing in (("0", "1 to 25"), ("abc", "1 to 25"), ("9999", "26 to 27")):
        assert f"Showing {showing} of 27" in _text(tom.get(f"/missing/police/?page={asked}"))
    assert f"Showing 26 to 27 of {MissingEpisode.objects.count()}" in _text(
        tom.get("/missing/police/?show=all&page=2")
    )
    assert "Showing 1 to 25 of 27" in _text(tom.get("/missing/police/?show=nonsense"))
