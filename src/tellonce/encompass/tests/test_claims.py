"""Dana and Hazel, both at Oakfield, acknowledge the same Operation Encompass
notification at the same moment (issue 13): one acknowledges it, the other is told who
did, and Jack's chronology says it once. In turn on any database; at the same moment on
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.encompass import services
from tellonce.encompass.models import Notification
from tellonce.encompass.tests.test_workflow import WEB, record
from tellonce.testing.races import (
    Race,
    one_refused_after_the_other,
    one_wins_at_once,
    postgres_only,
)
from tellonce.testing.world import practitioner_make


def acknowledged(story: Any, notification: Notification, user: Any) -> Notification:
    return services.notification_acknowledge(user=user, notification=notification, via=WEB)


def notified(story: Any) -> int:
    world, _ = story
    practitioner_make("deputy", "Dev", "Rao", world.oakfield_dsl)
    return record(world).pk


def deputy(story: Any) -> Any:
    from tellonce.accounts.models import User

    return User.objects.get(username="deputy")


RACE = Race(
    prepare=notified,
    load=lambda pk: Notification.objects.get(pk=pk),
    first=lambda story, notification: acknowledged(story, notification, story[0].dana),
    second=lambda story, notification: acknowledged(story, notification, deputy(story)),
    written=lambda story: (
        ChronologyEvent.objects.filter(
            kind=EventKind.ENCOMPASS, external_ref__endswith="-acknowledged"
        ).count(),
    ),
)


@pytest.mark.django_db
def test_the_second_to_acknowledge_is_told_who_did_and_nothing_is_written_twice(world, encompass):
    refused = one_refused_after_the_other((world, encompass), RACE)
    assert refused.message_dict["notification"][0].startswith("Already acknowledged by Dana")


@postgres_only
def test_two_acknowledging_at_the_same_moment_acknowledge_once(
    committed_world, committed_encompass
):
    one_wins_at_once((committed_world, committed_encompass), RACE)
