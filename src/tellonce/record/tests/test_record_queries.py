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


#: What Dana's look at Jack's record asks of the database, each a round trip, each a
#: wait when the server is busy: 30 before issue 15 (the audit entry's own transaction
#: is five statements here, in the test's transaction; two on PostgreSQL in use).
RECORD_PAGE_QUERIES = 29


def test_danas_look_at_jacks_record_asks_the_database_at_most_29_things(
    world, signed_in, django_assert_max_num_queries
):
    client = signed_in(world.dana)
    client.get(reverse("people:record", args=[world.jack.pk]))
    with django_assert_max_num_queries(RECORD_PAGE_QUERIES):
        response = client.get(reverse("people:record", args=[world.jack.pk]))
    assert response.status_code == 200


def test_jacks_family_still_shows_who_works_with_each_of_them(world, signed_in):
    """His own involvements and his family's come from one query now: each still in
    its own place on the page."""
    made = Involvement.objects.create(
        person=world.kerry,
        team=world.public_protection,
        capacity=Capacity.POLICE_INVESTIGATION,
        started_on=date(2025, 3, 1),
        source_agency=world.public_protection.agency,
        source_system="Niche",
    )
    response = signed_in(world.dana).get(reverse("people:record", args=[world.jack.pk]))
    record = response.context["record"]
    kerry = next(m for m in record.family if m.person == world.kerry)
    assert made in kerry.involvements
    assert made not in record.involvements
    assert record.involvements and all(i.person == world.jack for i in record.involvements)
