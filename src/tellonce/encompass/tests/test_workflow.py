"""Tom records a domestic abuse incident in Jack's household; Dana, Oakfield's
safeguarding lead, gets only what the statutory guidance names, and acknowledges it.
Left unacknowledged, it is chased, then escalated to Hazel (Oakfield's head) and Ed's
education team at the council, once each. Overnight the worker is down; restarted at
07:00 it delivers everything before 08:30, and nothing twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tellonce.alerts.models import Alert, AlertKind, Delivery
from tellonce.alerts.services import deliveries_send
from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.encompass import selectors, services
from tellonce.encompass.models import DomesticAbuseIncident, Notification, Recipient
from tellonce.encompass.services import ChildDetails, IncidentDetails

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)
UK = ZoneInfo("Europe/London")
TUESDAY_NIGHT = datetime(2026, 5, 5, 23, 10, tzinfo=UK)
WEDNESDAY = datetime(2026, 5, 6, 8, 30, tzinfo=UK)


def details(world, ref: str = "NBP/DA/1", **changes) -> IncidentDetails:
    base = dict(
        police_ref=ref,
        occurred_at=TUESDAY_NIGHT,
        place="Flat 3, Alder House, Northbrook NB1 4QT",
        children=[ChildDetails(person_id=world.jack.pk, present=True, voice="Jack was crying.")],
    )
    base.update(changes)
    return IncidentDetails(**base)


def record(world, **changes) -> Notification:
    with time_machine.travel(TUESDAY_NIGHT + timedelta(minutes=30), tick=False):
        incident = services.incident_record(
            user=world.tom, details=details(world, **changes), via=WEB
        )
        deliveries_send()  # the worker, at once
    # The school's notification where there is one ("school" sorts after "council").
    return Notification.objects.filter(incident=incident).order_by("recipient").last()


def test_the_notification_says_only_what_the_guidance_names(world, encompass):
    notification = record(world)
    alert = notification.alert
    assert alert.kind == AlertKind.ENCOMPASS and alert.team == world.oakfield_dsl
    assert alert.delivered_on is not None and alert.delivered_on < notification.due_by
    born = f"{world.jack.date_of_birth:%-d %B %Y}"
    assert alert.body.splitlines() == [
        "Child: Jack Taylor",
        f"Date of birth: {born}",
        "Police reference: NBP/DA/1",
        "Date of the incident: Tuesday 5 May 2026",
        "Time of the incident: 23:10",
        "Place of the incident: Flat 3, Alder House, Northbrook NB1 4QT",
        "Child present: Yes",
        "The child's voice or presentation: Jack was crying.",
    ]
    # Nothing else from the police record: not who recorded it, not the officer's team.
    assert "Tom" not in alert.body and "Public protection" not in alert.body


def test_only_the_police_record_incidents_and_every_problem_is_named(world, encompass):
    with pytest.raises(PermissionDenied):
        services.incident_record(user=world.dana, details=details(world), via=WEB)
    with time_machine.travel(TUESDAY_NIGHT, tick=False), pytest.raises(ValidationError) as exc:
        services.incident_record(
            user=world.tom,
            details=details(
                world,
                ref=" ",
                occurred_at=TUESDAY_NIGHT + timedelta(days=1),
                children=[ChildDetails(given_name="Sam", present=None)],
            ),
            via=WEB,
        )
    assert set(exc.value.message_dict) == {
        "police_ref",
        "occurred_at",
        "children-0-family_name",
        "children-0-date_of_birth",
        "children-0-present",
        "children-0-voice",
    }
    record(world)
    with time_machine.travel(TUESDAY_NIGHT + timedelta(hours=1), tick=False):
        with pytest.raises(ValidationError) as exc:
            services.incident_record(user=world.olly, details=details(world), via=WEB)
        with pytest.raises(ValidationError) as no_children:
            services.incident_record(
                user=world.tom, details=details(world, ref="NBP/2", children=[]), via=WEB
            )
    assert "police_ref" in exc.value.message_dict
    assert "children" in no_children.value.message_dict
    assert DomesticAbuseIncident.objects.count() == 1


def test_a_child_named_by_details_is_matched_through_the_linkage_engine(world, encompass):
    child = ChildDetails(
        given_name="Mia",
        family_name="Stone",
        date_of_birth=date(2019, 4, 1),
        present=False,
        voice="Mia was asleep upstairs.",
    )
    with time_machine.travel(TUESDAY_NIGHT + timedelta(minutes=30), tick=False):
        incident = services.incident_record(
            user=world.police_system, details=details(world, children=[child]), via=WEB
        )
    (row,) = incident.children.all()
    assert row.person.full_name == "Mia Stone"
    # Not known at any school: the council hears.
    assert incident.notifications.get().recipient == Recipient.COUNCIL


def test_dana_acknowledges_and_it_is_on_jacks_chronology(world, encompass):
    notification = record(world)
    with pytest.raises(PermissionDenied):
        services.notification_acknowledge(user=world.olly, notification=notification, via=WEB)
    with pytest.raises(PermissionDenied):
        services.notification_acknowledge(
            user=world.school_system, notification=notification, via=WEB
        )
    with time_machine.travel(WEDNESDAY - timedelta(minutes=15), tick=False):
        services.notification_acknowledge(user=world.dana, notification=notification, via=WEB)
        with pytest.raises(ValidationError):
            services.notification_acknowledge(user=world.dana, notification=notification, via=WEB)
    notification.refresh_from_db()
    assert notification.acknowledged_by == world.dana
    kinds = list(ChronologyEvent.objects.filter(person=world.jack).values_list("kind", "summary"))
    assert [k for k, _ in kinds].count(EventKind.ENCOMPASS) == 2
    assert [k for k, _ in kinds].count(EventKind.DOMESTIC_ABUSE) == 1
    assert any("acknowledged by Dana Whyte" in s for _, s in kinds)
    # Acknowledged: never chased.
    with time_machine.travel(WEDNESDAY + timedelta(hours=5), tick=False):
        assert services.encompass_clock_tick().chased == 0


def test_the_councils_education_team_reads_only_what_was_sent_or_escalated_to_it(world, encompass):
    notification = record(world)
    # Sent to the school, not yet escalated: what Jack said is for the school alone.
    with pytest.raises(Http404):
        selectors.notification_get_for_user(user=world.ed, notification_id=notification.pk, via=WEB)
    noon = datetime(2026, 5, 6, 12, 0, tzinfo=UK)
    with time_machine.travel(noon, tick=False):
        services.encompass_clock_tick()
    assert selectors.notification_get_for_user(
        user=world.ed, notification_id=notification.pk, via=WEB
    )


def test_unacknowledged_it_is_chased_then_escalated_once_each(world, encompass):
    notification = record(world)
    with time_machine.travel(WEDNESDAY + timedelta(minutes=59), tick=False):
        assert services.encompass_clock_tick() == services.ClockTick(chased=0, escalated=0)
    with time_machine.travel(WEDNESDAY + timedelta(hours=1), tick=False):
        assert services.encompass_clock_tick() == services.ClockTick(chased=1, escalated=0)
        assert services.encompass_clock_tick() == services.ClockTick()
    chase = Alert.objects.get(kind=AlertKind.ENCOMPASS_CHASE)
    assert chase.team == world.oakfield_dsl
    noon = datetime(2026, 5, 6, 12, 0, tzinfo=UK)
    with time_machine.travel(noon, tick=False):
        assert services.encompass_clock_tick() == services.ClockTick(chased=0, escalated=1)
        assert services.encompass_clock_tick() == services.ClockTick()
    escalated = Alert.objects.filter(kind=AlertKind.ENCOMPASS_ESCALATED)
    assert {(a.team, a.user) for a in escalated} == {
        (encompass.hazel.team, encompass.hazel),
        (world.education_mash, None),
    }
    # Hazel (the head) and Ed (the council) may read it; Olly may not.
    for user in (encompass.hazel, world.ed, world.dana):
        assert selectors.notification_get_for_user(
            user=user, notification_id=notification.pk, via=WEB
        )
    with pytest.raises(Http404):
        selectors.notification_get_for_user(
            user=world.olly, notification_id=notification.pk, via=WEB
        )


def test_coverage_and_figures(world, encompass):
    record(world)
    ruby = ChildDetails(person_id=world.ruby.pk, present=True, voice="Ruby hid upstairs.")
    record(world, ref="NBP/2", children=[ruby])
    with pytest.raises(PermissionDenied):
        selectors.coverage(user=world.dana)
    report = selectors.coverage(user=world.ana)
    assert [s.school for s in report.not_signed_up] == [encompass.birchwood]
    (oakfield,) = report.signed_up
    assert (oakfield.sent, oakfield.delivered_on_time, oakfield.acknowledged) == (1, 1, 0)
    figures = selectors.figures(user=world.ed)
    assert figures["school_notifications"] == 1
    assert figures["delivered_before_school_day"] == 1
    assert figures["council_notifications"] == 1
    assert (figures["schools"], figures["schools_signed_up"]) == (2, 1)


def test_a_worker_stopped_overnight_still_delivers_everything_before_school_and_once(
    world, encompass, django_capture_on_commit_callbacks
):
    """The worker is down from the evening; the police record incidents all night; at
    07:00 it is restarted and works through the outbox."""
    nights = [TUESDAY_NIGHT - timedelta(hours=3) + timedelta(minutes=40 * n) for n in range(8)]
    for n, when in enumerate(nights):
        with (
            time_machine.travel(when + timedelta(minutes=5), tick=False),
            django_capture_on_commit_callbacks(execute=False),
        ):
            services.incident_record(
                user=world.police_system,
                details=details(
                    world,
                    ref=f"NBP/N/{n}",
                    occurred_at=when,
                    children=[
                        ChildDetails(person_id=world.jack.pk, present=True, voice="Quiet."),
                        ChildDetails(person_id=world.lily.pk, present=True, voice="Asleep."),
                    ],
                ),
                via=WEB,
            )
    assert not Alert.objects.filter(delivered_on__isnull=False).exists()
    with time_machine.travel(datetime(2026, 5, 6, 7, 0, tzinfo=UK), tick=False):
        while deliveries_send():
            pass
        assert deliveries_send() == 0
    notifications = Notification.objects.select_related("alert")
    assert notifications.count() == 16
    for notification in notifications:
        assert notification.alert.delivered_on is not None
        assert notification.alert.delivered_on < notification.due_by
    assert Delivery.objects.filter(channel="inbox").count() == 16
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
