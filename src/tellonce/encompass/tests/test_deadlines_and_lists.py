"""Dana's notifications say how long she has before the school day starts, and after it
starts that they are overdue and by how much, in words beside a red tag. Those she has
acknowledged come 25 a page, the waiting ones first; a page that is not there shows
the first or the last."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from tellonce.alerts.services import deliveries_send
from tellonce.encompass import services
from tellonce.encompass.models import Notification, Recipient
from tellonce.encompass.tests.test_workflow import TUESDAY_NIGHT, WEB, WEDNESDAY, details, record

pytestmark = pytest.mark.django_db

OVERDUE = '<strong class="govuk-tag govuk-tag--red">Overdue</strong> by '


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode().replace("\xa0", " ")


def test_before_school_dana_sees_the_time_left_and_after_it_that_it_is_overdue(
    world, encompass, signed_in
):
    notification = record(world)
    assert notification.due_by == WEDNESDAY
    dana = signed_in(world.dana)
    with time_machine.travel(WEDNESDAY - timedelta(hours=2, minutes=30), tick=False):
        inbox = _text(dana.get("/encompass/"))
        assert '<span class="tellonce-deadline">2 hours, 30 minutes left</span>' in inbox
        page = _text(dana.get(f"/encompass/notifications/{notification.pk}/"))
        assert "2 hours, 30 minutes left" in page and "Overdue" not in page
    with time_machine.travel(WEDNESDAY + timedelta(hours=1, minutes=30), tick=False):
        dana = signed_in(world.dana)  # her session ended after 30 idle minutes
        assert OVERDUE + "1 hour, 30 minutes" in _text(dana.get("/encompass/"))
        page = _text(dana.get(f"/encompass/notifications/{notification.pk}/"))
        assert OVERDUE + "1 hour, 30 minutes" in page
        services.notification_acknowledge(user=world.dana, notification=notification, via=WEB)
        done = _text(dana.get("/encompass/?acknowledged=1"))
        assert f"/encompass/notifications/{notification.pk}/" in done
        assert "Overdue" not in done and "tellonce-deadline" not in done


def test_danas_acknowledged_notifications_come_25_a_page(world, encompass, signed_in):
    with time_machine.travel(TUESDAY_NIGHT + timedelta(minutes=30), tick=False):
        for n in range(28):
            services.incident_record(user=world.tom, details=details(world, ref=f"NB/{n}"), via=WEB)
    deliveries_send()
    mine = Notification.objects.filter(recipient=Recipient.SCHOOL).order_by("pk")
    assert mine.count() == 28
    with time_machine.travel(WEDNESDAY, tick=False):
        for notification in mine[1:]:
            services.notification_acknowledge(user=world.dana, notification=notification, via=WEB)
    waiting = mine.first()
    dana = signed_in(world.dana)

    inbox = _text(dana.get("/encompass/"))
    assert "To acknowledge (1)" in inbox and f"/notifications/{waiting.pk}/" in inbox
    done = _text(dana.get("/encompass/?acknowledged=1"))
    assert "Acknowledged (27)" in done and "Showing 1 to 25 of 27" in done
    assert f"/notifications/{waiting.pk}/" not in done
    assert 'href="?acknowledged=1&amp;page=2" rel="next"' in done
    assert "Showing 26 to 27 of 27" in _text(dana.get("/encompass/?acknowledged=1&page=2"))
    for nonsense, showing in (("0", "1 to 25"), ("abc", "1 to 25"), ("9999", "26 to 27")):
        page = _text(dana.get(f"/encompass/?acknowledged=1&page={nonsense}"))
        assert f"Showing {showing} of 27" in page

    everything = _text(dana.get("/encompass/?acknowledged=all"))
    assert "All notifications (28)" in everything and "Showing 1 to 25 of 28" in everything
    # The one waiting comes first.
    assert everything.index('href="/encompass/notifications/') == everything.index(
        f'href="/encompass/notifications/{waiting.pk}/"'
    )
