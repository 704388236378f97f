"""Two people at the same step of a missing episode at the same moment (issue 13): Eddie
and Tom both record that Jack is back, and one return home interview is made due;
Rita records the interview as Rob records that Jack refused it, and the interview has
one outcome; Eddie and Tom both withdraw a report made in error, once. In turn on any
database; at the same moment on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.missing import services
from tellonce.missing.models import InterviewState, MissingEpisode, ReturnHomeInterview
from tellonce.missing.tests.test_workflow import WEB, said, seen
from tellonce.testing.races import (
    Race,
    one_refused_after_the_other,
    one_wins_at_once,
    postgres_only,
)


def reported(story: Any) -> int:
    world, missing = story
    episode = services.episode_report(
        user=missing.eddie,
        person=world.jack,
        details=seen(timezone.now() - timedelta(hours=5)),
        via=WEB,
    )
    return episode.pk


def back(story: Any, episode: MissingEpisode, user: Any) -> ReturnHomeInterview:
    return services.episode_return(
        user=user,
        episode=episode,
        returned_on=timezone.now() - timedelta(hours=1),
        details="Brought back to the home by the police.",
        via=WEB,
    )


def returned(story: Any) -> int:
    episode = MissingEpisode.objects.get(pk=reported(story))
    missing = story[1]
    return back(story, episode, missing.eddie).pk


def withdrawn(story: Any, episode: MissingEpisode, user: Any) -> None:
    services.episode_archive(
        user=user, episode=episode, reason="Recorded against the wrong child, a duplicate", via=WEB
    )


def returns_and_interviews(story: Any) -> tuple[int, ...]:
    world, _ = story
    return (
        ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.MISSING_RETURN).count(),
        ReturnHomeInterview.objects.count(),
    )


def interview_outcomes(story: Any) -> tuple[int, ...]:
    world, _ = story
    return (
        ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.RETURN_INTERVIEW).count(),
        ReturnHomeInterview.objects.exclude(state=InterviewState.ASSIGNED).count(),
    )


RACES = {
    "the child's return recorded twice": Race(
        prepare=reported,
        load=lambda pk: MissingEpisode.objects.get(pk=pk),
        first=lambda story, episode: back(story, episode, story[1].eddie),
        second=lambda story, episode: back(story, episode, story[0].tom),
        written=returns_and_interviews,
    ),
    "the interview recorded and refused at once": Race(
        prepare=returned,
        load=lambda pk: ReturnHomeInterview.objects.get(pk=pk),
        first=lambda story, interview: services.interview_complete(
            user=story[1].rita, interview=interview, details=said(), via=WEB
        ),
        second=lambda story, interview: services.interview_refuse(
            user=story[1].rob,
            interview=interview,
            reason="Jack said he did not want to talk to anyone from the council.",
            via=WEB,
        ),
        written=interview_outcomes,
    ),
    "an episode withdrawn twice": Race(
        prepare=reported,
        load=lambda pk: MissingEpisode.objects.get(pk=pk),
        first=lambda story, episode: withdrawn(story, episode, story[1].eddie),
        second=lambda story, episode: withdrawn(story, episode, story[0].tom),
        written=lambda story: (
            MissingEpisode.all_objects.filter(archived_on__isnull=False).count(),
        ),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("race", RACES.values(), ids=RACES.keys())
def test_the_second_of_two_at_the_same_step_is_refused_and_writes_nothing(world, missing, race):
    one_refused_after_the_other((world, missing), race)


@postgres_only
@pytest.mark.parametrize("race", RACES.values(), ids=RACES.keys())
def test_two_at_the_same_step_at_the_same_moment_do_it_once(
    committed_world, committed_missing, race
):
    one_wins_at_once((committed_world, committed_missing), race)
