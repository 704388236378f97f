"""The police MASH desk's own system reads the desk's missing inbox through the API and
acknowledges a report as Tom does (issue 14): Eddie reports Jack missing, the desk's
system lists the report at once, acknowledges it, and Tom then sees it acknowledged;
nobody is chased. The force's other system, in public protection, is not the desk."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.missing import services
from tellonce.missing.tests.test_workflow import WEB, seen

pytestmark = pytest.mark.django_db


def system(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def test_the_desks_system_acknowledges_a_new_report_and_tom_sees_it_acknowledged(
    world, missing, signed_in
):
    episode = services.episode_report(
        user=missing.eddie,
        person=world.jack,
        details=seen(timezone.now() - timedelta(hours=2)),
        via=WEB,
    )
    desk = system(world.desk_token)
    tom = signed_in(world.tom)

    # The desk's system lists the new report, named, exactly as Tom's inbox shows it.
    listed = desk.get("/api/v1/missing-episodes/").json()
    assert [e["id"] for e in listed] == [episode.pk]
    assert listed[0]["child"] == "Jack Taylor"
    assert listed[0]["police_acknowledged_on"] is None
    assert listed == tom.get("/api/v1/missing-episodes/").json()
    # The force's system in public protection is not the desk: not in its list.
    assert system(world.police_token).get("/api/v1/missing-episodes/").json() == []

    acknowledged = desk.post(f"/api/v1/missing-episodes/{episode.pk}/acknowledge/")
    assert acknowledged.status_code == 200
    when = acknowledged.json()["police_acknowledged_on"]
    assert when is not None
    # Again is harmless: the first acknowledgement stands.
    again = desk.post(f"/api/v1/missing-episodes/{episode.pk}/acknowledge/")
    assert again.status_code == 200 and again.json()["police_acknowledged_on"] == when

    # Tom sees it acknowledged, in the inbox and on the episode.
    assert tom.get(f"/api/v1/missing-episodes/{episode.pk}/").json()["police_acknowledged_on"] == (
        when
    )
    assert [e["police_acknowledged_on"] for e in tom.get("/api/v1/missing-episodes/").json()] == [
        when
    ]
    episode.refresh_from_db()
    assert episode.police_acknowledged_by == world.desk_system
    assert ChronologyEvent.objects.filter(
        person=world.jack,
        kind=EventKind.MISSING,
        summary__contains="MASH desk interface, Police MASH desk, acknowledged",
    ).exists()

    # Acknowledged, so the desk's supervisor and Eddie are never told it was not.
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert services.missing_clock_tick().police_escalated == 0
    assert not Alert.objects.filter(kind=AlertKind.MISSING_UNACKNOWLEDGED).exists()
