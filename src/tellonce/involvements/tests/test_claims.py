"""Two people deciding about the same involvement at the same moment (issue 13): Maria
(a MASH manager) and Eve (the early help team's manager) both confirm Erin's work with
Jack, or one confirms as the other refuses: it is decided once, and Erin is told once.
Erin and Ellis, in the same team, both record that the team works with Jack: one
involvement. Erin and Priya both name themselves Jack's lead professional: one lead,
and the other is told who. In turn on any database; at the same moment on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tellonce.audit.models import AuditEvent
from tellonce.audit.services import COMMAND_LINE
from tellonce.involvements import services
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.organisations.models import Role
from tellonce.people.models import Person
from tellonce.testing.races import (
    Race,
    one_refused_after_the_other,
    one_wins_at_once,
    postgres_only,
)
from tellonce.testing.world import practitioner_make


def colleague(world: Any, username: str, **extra: Any) -> Any:
    from tellonce.accounts.models import User

    found = User.objects.filter(username=username).first()
    return found or practitioner_make(
        username, username.title(), "Ward", world.early_help, Role.EARLY_HELP_PRACTITIONER, **extra
    )


def eve(world: Any) -> Any:
    """Eve Ward, the early help team's manager."""
    return colleague(world, "eve", is_manager=True)


def recorded(world: Any, user: Any, capacity: str = Capacity.EARLY_HELP, **extra: Any) -> Any:
    return services.involvement_record(
        user=user,
        person=world.jack,
        capacity=capacity,
        started_on=timezone.localdate() - timedelta(days=3),
        via=COMMAND_LINE,
        **extra,
    )


def awaiting(world: Any) -> int:
    eve(world)
    return recorded(world, world.erin).pk


def confirmed(world: Any, involvement: Involvement, user: Any) -> Involvement:
    return services.involvement_confirm(user=user, involvement=involvement, via=COMMAND_LINE)


def refused(world: Any, involvement: Involvement, user: Any) -> Involvement:
    return services.involvement_refuse(
        user=user, involvement=involvement, reason="Erin's team has not met Jack", via=COMMAND_LINE
    )


def decided(world: Any) -> tuple[int, ...]:
    changes = AuditEvent.objects.filter(
        detail__change__in=["involvement confirmed", "involvement not confirmed"]
    )
    mine = Involvement.all_objects.filter(person=world.jack, team=world.early_help)
    return (
        changes.count(),
        mine.exclude(confirmation=Confirmation.AWAITING).count()
        + mine.filter(ended_on__isnull=False).count(),
    )


def load_involvement(pk: int) -> Involvement:
    return Involvement.objects.get(pk=pk)


def load_jack(pk: Any) -> Person:
    return Person.objects.get(pk=pk)


RACES = {
    "an involvement confirmed twice": Race(
        prepare=awaiting,
        load=load_involvement,
        first=lambda world, involvement: confirmed(world, involvement, world.maria),
        second=lambda world, involvement: confirmed(world, involvement, eve(world)),
        written=decided,
    ),
    "an involvement confirmed and refused at once": Race(
        prepare=awaiting,
        load=load_involvement,
        first=lambda world, involvement: confirmed(world, involvement, world.maria),
        second=lambda world, involvement: refused(world, involvement, eve(world)),
        written=decided,
    ),
}

#: Steps whose own check reads the database: in turn, the second is refused by it; only
#: at the same moment does holding the child's row decide.
AT_ONCE = {
    **RACES,
    "the same work recorded by two of the team": Race(
        prepare=lambda world: colleague(world, "ellis") and world.jack.pk,
        load=load_jack,
        first=lambda world, jack: recorded(world, world.erin),
        second=lambda world, jack: recorded(world, colleague(world, "ellis")),
        written=lambda world: (
            Involvement.objects.current().filter(person=world.jack, team=world.early_help).count(),
        ),
    ),
    "two naming themselves the lead professional": Race(
        prepare=lambda world: world.jack.pk,
        load=load_jack,
        first=lambda world, jack: recorded(world, world.erin, is_lead_professional=True),
        second=lambda world, jack: recorded(
            world, world.priya, Capacity.HEALTH_VISITING, is_lead_professional=True
        ),
        written=lambda world: (
            Involvement.objects.current()
            .filter(person=world.jack, is_lead_professional=True)
            .count(),
        ),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("race", RACES.values(), ids=RACES.keys())
def test_the_second_to_decide_an_involvement_is_refused_and_writes_nothing(world, race):
    refusal = one_refused_after_the_other(world, race)
    assert refusal.message_dict["involvement"][0].startswith("Someone else has just confirmed")


@postgres_only
@pytest.mark.parametrize("race", AT_ONCE.values(), ids=AT_ONCE.keys())
def test_two_at_the_same_involvement_step_at_the_same_moment_do_it_once(committed_world, race):
    one_wins_at_once(committed_world, race)
