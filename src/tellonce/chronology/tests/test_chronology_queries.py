"""Jack's chronology page asks the database the same few things however long his
history, and finds him, and decides what Dana may do, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tellonce.audit.models import Action, AuditEvent
from tellonce.chronology.models import ChronologyEvent, EventKind

pytestmark = pytest.mark.django_db

#: 22 before issue 15, when the page read the person twice and Dana's access three times.
CHRONOLOGY_PAGE_QUERIES = 19


def _meetings(world, count: int) -> None:
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
        for n in range(count)
    )


def test_danas_look_at_jacks_chronology_asks_at_most_19_things_with_5_or_300_events(
    world, signed_in, django_assert_max_num_queries
):
    client = signed_in(world.dana)
    url = reverse("chronology:chronology", args=[world.jack.pk])
    _meetings(world, 5)
    client.get(url)
    with django_assert_max_num_queries(CHRONOLOGY_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    _meetings(world, 295)
    with django_assert_max_num_queries(CHRONOLOGY_PAGE_QUERIES):
        page = client.get(url)
    assert page.context["count"] == 300
    assert len(page.context["events"]) == 100


def test_a_look_at_jacks_chronology_by_someone_who_may_not_know_of_him_is_audited(world, signed_in):
    response = signed_in(world.ana).get(reverse("chronology:chronology", args=[world.jack.pk]))
    assert response.status_code == 404
    refused = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert (refused.actor, refused.person) == (world.ana, world.jack)
