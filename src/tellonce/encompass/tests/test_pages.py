"""Tom records an incident on a Saturday night through the form; on Monday before
08:30 Dana sees it and acknowledges it; Ana sees which schools are not signed up."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tellonce.alerts.services import deliveries_send
from tellonce.encompass.models import Notification, Recipient
from tellonce.testing.forms import date_typed

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")


def test_saturday_night_incident_is_on_danas_page_on_monday_morning(world, encompass, signed_in):
    tom = signed_in(world.tom)
    with time_machine.travel(datetime(2026, 5, 9, 23, 50, tzinfo=UK), tick=False):
        assert tom.post("/encompass/incidents/new/", {"police_ref": ""}).status_code == 200
        response = tom.post(
            f"/encompass/incidents/new/?person={world.jack.pk}",
            {
                "police_ref": "NBP/SAT/1",
                **date_typed("occurred_at", datetime(2026, 5, 9, 23, 10, tzinfo=UK)),
                "place": "Flat 3, Alder House",
                "children-0-present": "yes",
                "children-0-voice": "Jack was hiding under the bed.",
            },
        )
        assert response.status_code == 302, response.content
        deliveries_send()
    notification = Notification.objects.get(recipient=Recipient.SCHOOL)
    dana = signed_in(world.dana)
    with time_machine.travel(datetime(2026, 5, 11, 8, 0, tzinfo=UK), tick=False):
        inbox = dana.get("/encompass/")
        assert "Jack Taylor" in inbox.content.decode()
        page = dana.get(f"/encompass/notifications/{notification.pk}/").content.decode()
        assert "Jack was hiding under the bed." in page and "NBP/SAT/1" in page
        dana.post(f"/encompass/notifications/{notification.pk}/acknowledge/")
    notification.refresh_from_db()
    assert notification.acknowledged_by == world.dana
    assert (
        signed_in(world.olly).get(f"/encompass/notifications/{notification.pk}/").status_code == 404
    )
    ana = signed_in(world.ana)
    assert "Birchwood Academy" in ana.get("/encompass/coverage/").content.decode()
    assert ana.get("/encompass/figures/").status_code == 200
    assert signed_in(world.dana).get("/encompass/coverage/").status_code == 403


def test_tom_records_jack_and_his_sister_and_a_problem_lands_on_her_boxes(
    world, encompass, signed_in
):
    from tellonce.encompass.models import IncidentChild

    tom = signed_in(world.tom)
    page = f"/encompass/incidents/new/?person={world.jack.pk}"
    form = tom.get(page).content.decode()
    assert "Jack Taylor, born" in form and "Add child 2 of the household" in form
    incident = {
        "police_ref": "NBP/TWO/1",
        **date_typed("occurred_at", datetime(2026, 5, 5, 21, 40, tzinfo=UK)),
        "place": "Flat 3, Alder House",
        "children-0-present": "yes",
        "children-0-voice": "Jack was crying and holding his sister.",
        "children-1-given_name": "Lily",
        "children-1-present": "yes",
    }
    with time_machine.travel(datetime(2026, 5, 5, 22, 30, tzinfo=UK), tick=False):
        refused = tom.post(page, incident).content.decode()
        assert 'id="id_children-1-family_name-error"' in refused
        assert not IncidentChild.objects.exists()
        incident |= {
            "children-1-family_name": "Taylor",
            **date_typed("children-1-date_of_birth", world.lily.date_of_birth),
            "children-1-voice": "Lily was asleep in her cot.",
        }
        response = tom.post(page, incident)
        assert response.status_code == 302, [
            line for line in response.content.decode().splitlines() if "error-message" in line
        ]
    assert IncidentChild.objects.count() == 2


def test_ed_records_that_birchwood_has_signed_up(world, encompass, signed_in):
    from tellonce.encompass.models import SchoolSignUp

    page = signed_in(world.ed).get("/encompass/coverage/").content.decode()
    assert "Record that it has signed up" in page
    assert (
        signed_in(world.ana)
        .post(f"/encompass/coverage/{encompass.birchwood.pk}/sign-up/")
        .status_code
        == 403
    )
    response = signed_in(world.ed).post(f"/encompass/coverage/{encompass.birchwood.pk}/sign-up/")
    assert response.status_code == 302
    assert SchoolSignUp.objects.filter(school=encompass.birchwood, withdrawn_on=None).exists()
    page = signed_in(world.ed).get("/encompass/coverage/").content.decode()
    assert "Every school has signed up." in page


def test_the_confirmation_names_each_childs_match_and_who_is_told_by_when(
    world, encompass, signed_in
):
    tom = signed_in(world.tom)
    with time_machine.travel(datetime(2026, 5, 9, 23, 50, tzinfo=UK), tick=False):
        response = tom.post(
            f"/encompass/incidents/new/?person={world.jack.pk}",
            {
                "police_ref": "NBP/SAT/2",
                **date_typed("occurred_at", datetime(2026, 5, 9, 23, 10, tzinfo=UK)),
                "place": "Flat 3, Alder House",
                "children-0-present": "yes",
                "children-0-voice": "Jack was hiding under the bed.",
            },
            follow=True,
        )
    page = response.content.decode()
    assert "whom each child was matched to, and who will be told and by when" in page
    assert "Jack Taylor</a>, born" in page and "Chosen from TellOnce" in page
    told = list(Notification.objects.all())
    assert {n.recipient for n in told} == {Recipient.SCHOOL, Recipient.COUNCIL}
    for notification in told:
        due = timezone.localtime(notification.due_by)
        assert f"{notification.team.named}, by {due:%H:%M} on {due:%A} {due.day} {due:%B}" in page
    assert "Designated safeguarding lead, Oakfield Primary (Oakfield Primary)" not in page
