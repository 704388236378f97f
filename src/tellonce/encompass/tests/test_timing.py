"""Tom, a police officer, records domestic abuse incidents in Jack's household at
23:10 on different nights; the clock is frozen. Dana, Oakfield's safeguarding lead,
must have each before the school day starts (08:30); when there is no school the next
day Ed's education team at the council is told as well."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tellonce.alerts.models import AlertKind
from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.encompass import services
from tellonce.encompass.models import CouncilReason, Notification, Recipient
from tellonce.encompass.services import ChildDetails, IncidentDetails

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)
UK = ZoneInfo("Europe/London")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UK)  # type: ignore[misc]


def incident(world, occurred_at: datetime, *children: ChildDetails, ref: str = "NBP/1"):
    return IncidentDetails(
        police_ref=ref,
        occurred_at=occurred_at,
        place="Flat 3, Alder House, Northbrook NB1 4QT",
        children=list(children)
        or [ChildDetails(person_id=world.jack.pk, present=True, voice="Jack was crying.")],
    )


def record_at(world, when: datetime, **kwargs):
    with time_machine.travel(when + timedelta(minutes=20), tick=False):
        return services.incident_record(
            user=world.tom, details=incident(world, when, **kwargs), via=WEB
        )


def notifications(recorded) -> dict[str, Notification]:
    return {n.recipient: n for n in Notification.objects.filter(incident=recorded)}


def test_a_school_night_incident_is_due_before_school_the_next_morning(world, encompass):
    recorded = record_at(world, at(2026, 5, 5, 23, 10))  # a Tuesday in the summer term
    sent = notifications(recorded)
    assert set(sent) == {Recipient.SCHOOL}
    assert sent[Recipient.SCHOOL].due_by == at(2026, 5, 6, 8, 30)
    assert sent[Recipient.SCHOOL].team == world.oakfield_dsl


def test_a_friday_incident_before_a_bank_holiday_goes_for_tuesday_and_the_council_is_told(
    world, encompass
):
    recorded = record_at(world, at(2026, 5, 1, 23, 10))  # early May bank holiday on Monday
    sent = notifications(recorded)
    assert sent[Recipient.SCHOOL].due_by == at(2026, 5, 5, 8, 30)
    council = sent[Recipient.COUNCIL]
    assert council.team == world.education_mash
    assert council.council_reason == CouncilReason.NO_SCHOOL_TOMORROW
    assert council.due_by == at(2026, 5, 5, 8, 30)


def test_a_summer_holiday_incident_goes_for_the_first_day_of_term_and_the_council_is_told(
    world, encompass
):
    # Friday 28 August 2026; Monday 31 August is the August bank holiday.
    recorded = record_at(world, at(2026, 8, 28, 23, 10))
    sent = notifications(recorded)
    assert sent[Recipient.SCHOOL].due_by == at(2026, 9, 3, 8, 30)  # autumn term starts
    assert sent[Recipient.COUNCIL].due_by == at(2026, 9, 1, 8, 30)  # next working day
    assert sent[Recipient.COUNCIL].alert.kind == AlertKind.ENCOMPASS_COUNCIL


def test_an_early_morning_incident_on_a_school_day_is_due_that_morning(world, encompass):
    recorded = record_at(world, at(2026, 5, 6, 6, 0))
    assert notifications(recorded)[Recipient.SCHOOL].due_by == at(2026, 5, 6, 8, 30)
    assert Recipient.COUNCIL not in notifications(recorded)


def test_a_half_term_incident_waits_for_the_school_to_reopen(world, encompass):
    recorded = record_at(world, at(2026, 10, 27, 22, 0))  # autumn half term
    sent = notifications(recorded)
    assert sent[Recipient.SCHOOL].due_by == at(2026, 11, 2, 8, 30)
    assert sent[Recipient.COUNCIL].due_by == at(2026, 10, 28, 8, 30)


def record_child(world, child: ChildDetails):
    with time_machine.travel(at(2026, 5, 6, 0, 0), tick=False):
        return services.incident_record(
            user=world.tom, details=incident(world, at(2026, 5, 5, 23, 10), child), via=WEB
        )


def test_a_child_on_no_school_roll_is_notified_to_the_council_instead(world, encompass):
    # Lily is a baby: on no school's roll, as a home-educated child would be.
    lily = ChildDetails(person_id=world.lily.pk, present=False, voice="Lily was asleep.")
    sent = notifications(record_child(world, lily))
    assert set(sent) == {Recipient.COUNCIL}
    assert sent[Recipient.COUNCIL].council_reason == CouncilReason.NO_SCHOOL
    assert sent[Recipient.COUNCIL].team == world.education_mash
    assert sent[Recipient.COUNCIL].due_by == at(2026, 5, 6, 8, 30)


def test_a_school_not_signed_up_means_the_council_is_told(world, encompass):
    ruby = ChildDetails(person_id=world.ruby.pk, present=True, voice="Ruby hid upstairs.")
    sent = notifications(record_child(world, ruby))
    assert set(sent) == {Recipient.COUNCIL}
    assert sent[Recipient.COUNCIL].council_reason == CouncilReason.NOT_SIGNED_UP
    assert sent[Recipient.COUNCIL].school == encompass.birchwood
