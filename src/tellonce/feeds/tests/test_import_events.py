"""Significant events arrive in agency feeds too: the community health trust's feed
says Jack was seen at the urgent treatment centre, and it is on his chronology with
where it came from; an event of a record not yet linked waits for the link; a bad
event is reported by row and field and skipped; the same file twice changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, time
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.feeds.models import FeedImport, FeedRowProblem, ReportedEvent
from tellonce.feeds.services import reported_events_materialise
from tellonce.people.models import AgencyRecord, LinkMethod

pytestmark = pytest.mark.django_db

MAPPING = {
    "agency": "RNB",
    "system": "SystmOne",
    "required": ["family_name"],
    "record_id": "Patient ID",
    "given_name": "First Name",
    "family_name": "Surname",
    "date_of_birth": {"column": "DOB", "format": "%d/%m/%Y"},
    "event_kind": "Event",
    "event_date": {"column": "Event Date", "format": "%d/%m/%Y"},
    "event_time": "Event Time",
    "event_summary": "What Happened",
    "event_ref": "Event ID",
    "event_unscheduled": "Unscheduled",
}
HEADER = [
    "Patient ID", "First Name", "Surname", "DOB",
    "Event", "Event Date", "Event Time", "What Happened", "Event ID", "Unscheduled",
]  # fmt: skip
SEEN = ["P9", "Jack", "Taylor", "", "Health attendance", "28/11/2026", "19:40",
        "Seen at the urgent treatment centre with a burn to the hand", "UTC-5521", "Y"]  # fmt: skip
LILY = ["P10", "Lily", "Taylor", "", "other", "20/11/2026", "",
        "Missed her 12-month review; family not at home", "", "N"]  # fmt: skip


def _feed(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "systmone-events.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    path.with_suffix(".yaml").write_text(yaml.safe_dump(MAPPING), encoding="utf-8")
    return path


def _import(path: Path) -> None:
    call_command("import", str(path), "--agency", "RNB", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture
def jacks_health_record(world) -> AgencyRecord:
    return AgencyRecord.objects.create(
        agency=world.health,
        system="SystmOne",
        local_id="P9",
        given_name="Jack",
        family_name="Taylor",
        person=world.jack,
        link_method=LinkMethod.RECORDED,
    )


def test_an_event_in_the_feed_is_on_the_childs_chronology(world, jacks_health_record, tmp_path):
    _import(_feed(tmp_path, [SEEN]))
    event = ChronologyEvent.objects.get(person=world.jack)
    assert event.kind == EventKind.HEALTH_ATTENDANCE and event.unscheduled
    assert (event.occurred_on, event.occurred_at) == (date(2026, 11, 28), time(19, 40))
    assert event.summary.startswith("Seen at the urgent treatment centre")
    assert event.source_agency == world.health and event.source_system == "SystmOne"
    assert event.source_record == jacks_health_record and event.external_ref == "UTC-5521"
    assert event.recorder_label == "SystmOne"


def test_the_same_file_again_changes_nothing(world, jacks_health_record, tmp_path):
    path = _feed(tmp_path, [SEEN])
    _import(path)
    _import(path)
    assert ChronologyEvent.objects.filter(person=world.jack).count() == 1
    assert ReportedEvent.objects.count() == 1
    assert FeedImport.objects.order_by("pk").last().rows_unchanged == 1


def test_a_corrected_event_is_corrected_on_the_chronology(world, jacks_health_record, tmp_path):
    _import(_feed(tmp_path, [SEEN]))
    corrected = [
        *SEEN[:7],
        "Seen at the urgent treatment centre with a scald to the hand",
        *SEEN[8:],
    ]
    _import(_feed(tmp_path, [corrected]))
    event = ChronologyEvent.objects.get(person=world.jack)
    assert "scald" in event.summary


def test_an_event_of_a_record_not_yet_linked_waits_for_the_link(world, tmp_path):
    _import(_feed(tmp_path, [LILY]))
    assert not ChronologyEvent.objects.exists()
    record = AgencyRecord.objects.get(local_id="P10")
    assert record.reported_events.get().summary.startswith("Missed her 12-month review")
    record.person = world.lily
    record.save()
    reported_events_materialise(agency_record=record)
    reported_events_materialise(agency_record=record)  # once only
    assert ChronologyEvent.objects.get(person=world.lily).source_record == record


def test_a_bad_event_is_named_by_row_and_field_and_skipped(world, jacks_health_record, tmp_path):
    rows = [
        [*SEEN[:4], "Haircut", *SEEN[5:]],
        [*SEEN[:5], "", *SEEN[6:]],
        [*SEEN[:7], "", *SEEN[8:]],
        [*SEEN[:4], "exclusion", *SEEN[5:8], "EX-1", "Y"],
        LILY,
    ]
    _import(_feed(tmp_path, rows))
    problems = {(p.row_number, p.field, p.reason) for p in FeedRowProblem.objects.all()}
    assert problems == {
        (2, "event_kind", "is not a kind of event we know"),
        (3, "event_date", "is missing: an event needs its date"),
        (4, "event_summary", "is missing: say what happened"),
        (5, "event_unscheduled", "only a health attendance can be unscheduled care"),
    }
    assert AgencyRecord.objects.filter(local_id="P10").exists()
    assert not ChronologyEvent.objects.filter(person=world.jack).exists()


def test_an_agency_system_sends_an_event_with_its_record_through_the_api(world):
    from django.test import Client

    from tellonce.feeds.tests.test_api_records import AMIR

    AgencyRecord.objects.create(
        agency=world.police,
        system="Niche RMS",
        local_id="N1001",
        family_name="Hassan",
        person=world.amir,
        link_method=LinkMethod.RECORDED,
    )
    body = AMIR | {
        "event_kind": "domestic_abuse",
        "event_date": "2026-11-29",
        "event_time": "23:10",
        "event_summary": "Domestic abuse incident at home; Amir present and frightened",
        "event_ref": "NBP-DA-0042",
    }
    police = Client(HTTP_AUTHORIZATION=f"Token {world.police_token}")
    response = police.post("/api/v1/records/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    event = ChronologyEvent.objects.get(person=world.amir, kind=EventKind.DOMESTIC_ABUSE)
    assert event.external_ref == "NBP-DA-0042" and event.occurred_at == time(23, 10)
    bad = police.post(
        "/api/v1/records/", body | {"event_date": "29/11/2026"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "event_date"
