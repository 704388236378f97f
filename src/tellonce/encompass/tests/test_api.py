"""The police system sends a night's incidents as a batch (one row bad); Dana reads
and acknowledges hers through the API; Ana reads the coverage and the figures."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tellonce.alerts.services import deliveries_send
from tellonce.encompass.models import DomesticAbuseIncident

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")


def system(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def row(world, ref: str, **changes) -> dict:
    base = {
        "police_ref": ref,
        "occurred_at": "2026-05-05T23:10:00+01:00",
        "place": "Flat 3, Alder House",
        "children": [{"person": str(world.jack.pk), "present": True, "voice": "Jack was crying."}],
    }
    base.update(changes)
    return base


def test_a_batch_lands_its_good_rows_and_names_the_bad_one(world, encompass, signed_in):
    police = system(world.police_token)
    batch = {
        "incidents": [
            row(world, "NBP/1"),
            row(world, "NBP/2", children=[{"given_name": "Zed", "present": True, "voice": "x"}]),
            row(world, "NBP/3", occurred_at="not a date"),
            row(world, "NBP/4"),
        ]
    }
    with time_machine.travel(datetime(2026, 5, 6, 6, 0, tzinfo=UK), tick=False):
        response = police.post(
            "/api/v1/encompass/incidents/", batch, content_type="application/json"
        )
        deliveries_send()
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["index"] for r in body["recorded"]] == [0, 3]
    fields = {(e["index"], e["field"]) for e in body["errors"]}
    assert (1, "children[0].family_name") in fields
    assert (1, "children[0].date_of_birth") in fields
    assert (2, "occurred_at") in fields
    assert set(DomesticAbuseIncident.objects.values_list("police_ref", flat=True)) == {
        "NBP/1",
        "NBP/4",
    }
    # The same reference again: refused by name.
    with time_machine.travel(datetime(2026, 5, 6, 6, 5, tzinfo=UK), tick=False):
        again = police.post(
            "/api/v1/encompass/incidents/", row(world, "NBP/1"), content_type="application/json"
        )
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "police_ref"

    # A school system may not record incidents.
    refused = system(world.school_token).post(
        "/api/v1/encompass/incidents/", row(world, "X/1"), content_type="application/json"
    )
    assert refused.status_code == 403

    dana = signed_in(world.dana)
    with time_machine.travel(datetime(2026, 5, 6, 8, 0, tzinfo=UK), tick=False):
        inbox = dana.get("/api/v1/encompass/notifications/").json()
        assert len(inbox) == 2
        assert set(inbox[0]["notification"]) == {
            "Child",
            "Date of birth",
            "Police reference",
            "Date of the incident",
            "Time of the incident",
            "Place of the incident",
            "Child present",
            "The child's voice or presentation",
        }
        ack = dana.post(f"/api/v1/encompass/notifications/{inbox[0]['id']}/acknowledge/")
        assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "Dana Whyte"

    ana = signed_in(world.ana)
    coverage = ana.get("/api/v1/encompass/coverage/").json()
    assert coverage["not_signed_up"] == ["Birchwood Academy"]
    figures = ana.get("/api/v1/encompass/figures/").json()
    assert figures["school_notifications"] == 2
    assert figures["delivered_before_school_day"] == 2
    assert figures["acknowledged"] == 1


def test_the_single_incident_answers_201_with_its_notifications(world, encompass):
    with time_machine.travel(datetime(2026, 5, 6, 6, 0, tzinfo=UK), tick=False):
        response = system(world.police_token).post(
            "/api/v1/encompass/incidents/", row(world, "NBP/9"), content_type="application/json"
        )
    assert response.status_code == 201, response.content
    (sent,) = response.json()["notifications"]
    assert sent["recipient"] == "school" and sent["due_by"].startswith("2026-05-06T08:30")


def test_oakfields_system_sees_its_notification_and_whether_dana_has_acknowledged_it(
    world, encompass, signed_in
):
    from tellonce.encompass.tests.test_workflow import record

    notification = record(world)
    school = system(world.school_token)
    (waiting,) = school.get("/api/v1/encompass/notifications/").json()
    assert waiting["id"] == notification.pk
    assert waiting["acknowledged_on"] is None and waiting["acknowledged_by"] == ""
    assert waiting["notification"]["Child"] == "Jack Taylor"
    one = school.get(f"/api/v1/encompass/notifications/{notification.pk}/")
    assert one.status_code == 200 and one.json() == waiting

    # The system may not acknowledge it: a person at the school must, and is chased.
    refused = school.post(f"/api/v1/encompass/notifications/{notification.pk}/acknowledge/")
    assert refused.status_code == 403
    assert "A person at the school acknowledges" in refused.json()["errors"][0]["message"]
    assert (
        school.get(f"/api/v1/encompass/notifications/{notification.pk}/").json()["acknowledged_on"]
        is None
    )

    dana = signed_in(world.dana)
    assert (
        dana.post(f"/api/v1/encompass/notifications/{notification.pk}/acknowledge/").status_code
        == 200
    )
    # The system sees it acknowledged, by whom: no longer waiting, in the acknowledged.
    assert school.get("/api/v1/encompass/notifications/").json() == []
    (done,) = school.get("/api/v1/encompass/notifications/?acknowledged=true").json()
    assert done["id"] == notification.pk
    assert done["acknowledged_on"] is not None and done["acknowledged_by"] == "Dana Whyte"
    assert school.get(f"/api/v1/encompass/notifications/{notification.pk}/").json() == done
    # Another team's system does not find it.
    desk = system(world.desk_token)
    assert desk.get(f"/api/v1/encompass/notifications/{notification.pk}/").status_code == 404
