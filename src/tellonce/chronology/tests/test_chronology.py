"""Jack's multi-agency chronology: events from the school, the council and TellOnce
itself in one timeline, each with its source and recorder; filtered, exported for a
case review, read and written through the API (CP-IS, which the chronology's
unscheduled care sets off, is tested in tellonce.cpis)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tellonce.audit.models import Action, AuditEvent
from tellonce.audit.services import COMMAND_LINE
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.involvements.models import Capacity
from tellonce.involvements.services import involvement_end, involvement_start
from tellonce.testing.forms import date_typed

pytestmark = pytest.mark.django_db


def _page(client: Client, world, **query) -> str:
    url = reverse("chronology:chronology", args=[world.jack.pk])
    return client.get(url, query).content.decode()


@pytest.fixture
def history(world, signed_in) -> None:
    """Dana records an exclusion; early help starts and ends work with Jack."""
    dana = signed_in(world.dana)
    response = dana.post(
        reverse("chronology:add", args=[world.jack.pk]),
        {
            "kind": EventKind.EXCLUSION,
            "date_day": "3",
            "date_month": "11",
            "date_year": "2026",
            "summary": "Fixed-term exclusion, 2 days, after a fight in the playground",
        },
    )
    assert response.status_code == 302
    involvement = involvement_start(
        person=world.jack,
        team=world.early_help,
        practitioner=world.erin,
        capacity=Capacity.EARLY_HELP,
        started_on=date(2026, 11, 10),
        source_agency=world.council,
        source_system="TellOnce",
        recorded_by=world.erin,
    )
    involvement_end(
        user=world.erin,
        involvement=involvement,
        ended_on=date(2026, 11, 28),
        reason="Family declined further support",
        via=COMMAND_LINE,
    )


def test_every_agencys_events_in_one_timeline_with_source_and_recorder(world, history, signed_in):
    events = list(ChronologyEvent.objects.filter(person=world.jack))
    assert [e.kind for e in events] == [
        EventKind.INVOLVEMENT_ENDED,
        EventKind.INVOLVEMENT_STARTED,
        EventKind.EXCLUSION,
    ]
    exclusion = events[2]
    assert exclusion.source_agency == world.school and exclusion.recorded_by == world.dana
    assert "Early help team (Northbrook Council) stopped working with them in early help:" in (
        events[0].summary
    )
    page = _page(signed_in(world.dana), world)
    assert "3 events" in page.replace("<strong>", "").replace("</strong>", "")
    assert "Fixed-term exclusion, 2 days" in page
    assert "Oakfield Primary School" in page and "Dana Whyte" in page
    assert AuditEvent.objects.filter(
        action=Action.VIEW, person=world.jack, detail__what="chronology"
    ).exists()


def test_filters_by_agency_type_and_date(world, history, signed_in):
    dana = signed_in(world.dana)
    page = _page(dana, world, agency=world.school.pk)
    assert "Fixed-term exclusion" in page and "stopped working" not in page
    page = _page(dana, world, kind=EventKind.INVOLVEMENT_STARTED)
    assert "started working" in page and "Fixed-term exclusion" not in page
    november = date_typed("since", date(2026, 11, 5)) | date_typed("until", date(2026, 11, 20))
    page = _page(dana, world, **november)
    assert "started working" in page and "stopped working" not in page
    assert "Fixed-term" not in page
    backwards = date_typed("since", date(2026, 11, 20)) | date_typed("until", date(2026, 11, 5))
    page = _page(dana, world, **backwards)
    assert "The end of the period must be on or after its start" in page


def test_exports_for_a_case_review_are_logged(world, history, signed_in):
    dana = signed_in(world.dana)
    url = reverse("chronology:chronology", args=[world.jack.pk])
    exported = dana.get(url, {"export": "csv", "agency": world.school.pk})
    assert exported["Content-Type"] == "text/csv"
    assert "Jack" not in exported["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Date", "Time", "Type", "Agency"]
    assert [r[2] for r in rows[1:]] == ["School exclusion"]
    pdf = dana.get(url, {"export": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    exports = AuditEvent.objects.filter(action=Action.EXPORT, person=world.jack)
    assert {e.detail["format"] for e in exports} == {"csv", "pdf"}


def test_tom_not_involved_sees_the_flag_not_the_chronology(world, history, signed_in):
    tom = signed_in(world.tom)
    response = tom.get(reverse("chronology:chronology", args=[world.jack.pk]))
    assert response.status_code == 302 and response["Location"].endswith("/flag/")
    response = tom.get(reverse("chronology:chronology", args=[world.jack.pk]), {"export": "csv"})
    assert response.status_code == 302
    assert tom.get(reverse("chronology:add", args=[world.jack.pk])).status_code == 403
    api = tom.get(f"/api/v1/people/{world.jack.pk}/chronology/")
    assert api.status_code == 403 and "Fixed-term" not in api.content.decode()


def test_a_school_system_sends_events_once_each(world, history):
    school = Client(HTTP_AUTHORIZATION=f"Token {world.school_token}")
    url = f"/api/v1/people/{world.jack.pk}/chronology/"
    body = {
        "kind": "attendance",
        "occurred_on": "2026-11-20",
        "summary": "Attendance 78% this half term; 9 sessions unauthorised",
        "system": "SIMS",
        "external_ref": "ATT-2026-11-20-77",
    }
    first = school.post(url, body, content_type="application/json")
    assert first.status_code == 201, first.content
    again = school.post(url, body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert first.json()["recorded_by"] == "SIMS"
    bad = school.post(
        url, body | {"summary": "Too", "external_ref": "x2"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "summary"
    listed = school.get(url, {"kind": "attendance"}).json()
    assert [e["external_ref"] for e in listed] == ["ATT-2026-11-20-77"]
    assert school.get(url, {"agency": "NOPE"}).json()["errors"][0]["field"] == "agency"
    police = Client(HTTP_AUTHORIZATION=f"Token {world.police_token}")
    assert police.post(url, body, content_type="application/json").status_code == 403


def test_a_long_chronology_reads_a_hundred_events_a_page_and_downloads_whole(world, signed_in):
    from tellonce.chronology.models import ChronologyEvent as Event

    Event.objects.bulk_create(
        Event(
            person=world.jack,
            kind=EventKind.OTHER,
            occurred_on=date(2025, 1, 1) + timedelta(days=n),
            summary=f"Event number {n:03d} in the long history",
            source_agency=world.school,
            source_system="SIMS",
        )
        for n in range(250)
    )
    dana = signed_in(world.dana)
    first = _page(dana, world)
    assert "showing 1 to 100" in first and "Event number 249" in first
    assert "Event number 149" not in first
    last = _page(dana, world, page=3)
    assert "showing 201 to 250" in last and "Event number 000" in last
    url = reverse("chronology:chronology", args=[world.jack.pk])
    rows = dana.get(url, {"export": "csv"}).content.decode("utf-8-sig").splitlines()
    assert len(rows) == 251
