"""The child's record page is the page read most: what it asks of the database does not
grow with the child's history (a case-reviewed child has a dozen agencies and hundreds
of chronology events)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.involvements.models import Capacity, Involvement

pytestmark = pytest.mark.django_db


def _queries_for_jacks_record(client, world) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("people:record", args=[world.jack.pk]))
    assert response.status_code == 200
    return len(queries)


def test_jacks_record_asks_no_more_of_the_database_as_his_history_grows(world, signed_in):
    client = signed_in(world.dana)
    client.get(reverse("people:record", args=[world.jack.pk]))
    before = _queries_for_jacks_record(client, world)

    # Every team of the world comes to work with Jack and his mother; forty meetings.
    teams = [world.early_help, world.health_visiting, world.public_protection, world.mash]
    for n, team in enumerate(teams):
        for person in (world.jack, world.kerry):
            Involvement.objects.create(
                person=person,
                team=team,
                capacity=Capacity.EARLY_HELP if n % 2 else Capacity.HEALTH_VISITING,
                started_on=date(2025, 1, 1) + timedelta(days=n),
                practitioner=world.priya,
                source_agency=team.agency,
                source_system="Mosaic",
            )
    ChronologyEvent.objects.bulk_create(
        ChronologyEvent(
            person=world.jack,
            kind=EventKind.MEETING,
            occurred_on=date(2024, 1, 1) + timedelta(days=n),
            summary=f"Core group meeting {n}",
            source_agency=world.council,
            source_system="Mosaic",
            recorded_by_name="A social worker",
        )
        for n in range(40)
    )

    assert _queries_for_jacks_record(client, world) == before
