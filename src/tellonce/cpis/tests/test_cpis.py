"""CP-IS: a child on a protection plan who turns up at A&E is known to their social
worker at once, however the attendance reaches TellOnce (an A&E attendance reported as
an involvement, or an agency's unscheduled health attendance on the chronology); health
practitioners see the plan and the social worker's contact, and nobody else does."""

from __future__ import annotations

from datetime import date

import pytest

from tellonce.alerts.models import Alert, AlertKind
from tellonce.audit.services import COMMAND_LINE
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.involvements.services import involvement_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_a_plan(world) -> Involvement:
    return Involvement.objects.create(
        confirmation=Confirmation.SYSTEM_OF_RECORD,
        person=world.jack,
        team=world.mash,
        practitioner=world.sam,
        capacity=Capacity.CHILD_PROTECTION,
        started_on=date(2026, 6, 1),
        source_agency=world.council,
        source_system="Mosaic",
    )


def test_an_ae_attendance_tells_the_social_worker(
    world, on_a_plan, django_capture_on_commit_callbacks
):
    from tellonce.organisations.models import Service, Team

    emergency = Team.objects.create(
        agency=world.health, name="Emergency department", service=Service.EMERGENCY_DEPARTMENT
    )
    with django_capture_on_commit_callbacks(execute=True):
        involvement_start(
            person=world.jack,
            team=emergency,
            capacity=Capacity.AE_ATTENDANCE,
            started_on=date(2026, 11, 30),
            source_agency=world.health,
            source_system="Symphony",
        )
    alert = Alert.objects.get(kind=AlertKind.CP_IS)
    assert (alert.team, alert.user) == (world.mash, world.sam)
    assert "who is on a child protection plan, attended unscheduled care on 30 November 2026" in (
        alert.body
    )
    assert alert.delivered_on is not None
    event = ChronologyEvent.objects.get(kind=EventKind.HEALTH_ATTENDANCE)
    assert event.unscheduled and event.person == world.jack


def test_an_unscheduled_attendance_sent_as_an_event_tells_the_social_worker_too(
    world, on_a_plan, signed_in
):
    from tellonce.chronology.services import chronology_event_record

    Involvement.objects.create(
        confirmation=Confirmation.SYSTEM_OF_RECORD,
        person=world.jack,
        team=world.health_visiting,
        practitioner=world.priya,
        capacity=Capacity.HEALTH_VISITING,
        source_agency=world.health,
        source_system="SystmOne",
    )
    chronology_event_record(
        user=world.priya,
        person=world.jack,
        kind=EventKind.HEALTH_ATTENDANCE,
        occurred_on=date(2026, 11, 29),
        summary="Seen at the urgent treatment centre with a head injury",
        unscheduled=True,
        via=COMMAND_LINE,
    )
    alert = Alert.objects.get(kind=AlertKind.CP_IS)
    assert alert.user == world.sam
    # CP-IS shares when and where, not why.
    assert "head injury" not in alert.body


def test_health_practitioners_see_the_cp_is_flag_with_the_social_workers_contact(
    world, on_a_plan, signed_in
):
    page = signed_in(world.hannah).get(f"/people/{world.jack.pk}/", follow=True)
    text = page.content.decode()
    assert "Jack is on a child protection plan" in text
    assert "Social worker: Sam" in text and world.mash.phone in text
    police = signed_in(world.tom).get(f"/people/{world.jack.pk}/", follow=True)
    assert "child protection plan" not in police.content.decode()
