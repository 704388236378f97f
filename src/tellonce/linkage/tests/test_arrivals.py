"""A record is linked the moment it arrives: through the API in the same request, from a
feed file by the task worker; a child already known joins their person, a child new
to TellOnce becomes one (and the next agency's record finds them), and a record that
could be two people waits for a reviewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tellonce.involvements.models import Involvement
from tellonce.linkage.arrivals import Outcome
from tellonce.linkage.matching import index_add
from tellonce.linkage.models import LinkageModel, LinkEvent, LinkEventKind, ReviewPair
from tellonce.linkage.services import agency_records_canonical
from tellonce.linkage.tasks import next_nightly_run, nightly_link_ensure, nightly_link_run
from tellonce.people.models import AgencyRecord, LinkMethod, Person, PersonName, Sex

pytestmark = pytest.mark.django_db


def _police() -> Client:
    from tellonce.accounts.models import User
    from tellonce.accounts.services import api_token_issue
    from tellonce.audit.services import COMMAND_LINE

    police = User.objects.get(username="police-system")
    token = api_token_issue(user=police, by=None, via=COMMAND_LINE)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def _send(body: dict[str, Any]) -> dict[str, Any]:
    response = _police().post("/api/v1/records/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _known_child() -> AgencyRecord:
    """A seeded child's record with a full name, birthday and postcode."""
    return (
        AgencyRecord.objects.filter(person__isnull=False, date_of_birth__year__gte=2012)
        .exclude(given_name="")
        .exclude(postcode="")
        .exclude(nhs_number="")
        .order_by("pk")
        .first()
    )


def _record_of(record: AgencyRecord, record_id: str, **changes: Any) -> dict[str, Any]:
    body = {
        "system": "Niche RMS",
        "record_id": record_id,
        "given_name": record.given_name,
        "family_name": record.family_name,
        "date_of_birth": record.date_of_birth.isoformat(),
        "sex": record.sex,
        "postcode": record.postcode,
    }
    return {**body, **changes}


def test_a_known_child_sent_by_the_police_joins_their_person_at_once(linked):
    known = _known_child()
    body = _record_of(
        known,
        "N-ARRIVE-1",
        team="Public protection unit",
        capacity="police_investigation",
        started_on="2026-02-20",
    )
    sent = _send(body)

    assert sent["linkage"] == {"outcome": "linked", "person": str(known.person_id)}
    record = AgencyRecord.objects.get(local_id="N-ARRIVE-1")
    assert record.person_id == known.person_id and record.link_method == LinkMethod.MODEL
    # What it says lands on the person, sourced to it.
    assert PersonName.objects.filter(person=known.person, source_record=record).exists()
    event = LinkEvent.objects.get(kind=LinkEventKind.ARRIVAL, record_ids=[record.pk])
    assert event.person_id == known.person_id
    assert event.model == LinkageModel.objects.get(is_active=True)
    assert event.match_probability >= event.model.match_threshold
    # The police involvement its record reported is on the child's register now.
    assert Involvement.objects.filter(person=known.person, source_record=record).exists()


def test_a_child_new_to_tellonce_becomes_a_person_the_next_record_finds(linked):
    persons = Person.objects.count()
    first = _send(
        {
            "system": "Niche RMS",
            "record_id": "N-NEW-1",
            "given_name": "Zephyrine",
            "family_name": "Quillfeather",
            "date_of_birth": "2019-06-14",
            "sex": "F",
            "postcode": "NB1 4QT",
        }
    )
    assert first["linkage"]["outcome"] == "new person"
    assert Person.objects.count() == persons + 1
    # A second agency's record of her, a typo in her surname: found through the index.
    second = _send(
        {
            "system": "Niche RMS",
            "record_id": "N-NEW-2",
            "given_name": "Zephyrine",
            "family_name": "Quilfeather",
            "date_of_birth": "2019-06-14",
            "sex": "F",
            "postcode": "NB1 4QT",
        }
    )
    assert second["linkage"] == {"outcome": "linked", "person": first["linkage"]["person"]}
    # Sent again unchanged: nothing more happens.
    response = _police().post(
        "/api/v1/records/",
        {
            "system": "Niche RMS",
            "record_id": "N-NEW-2",
            "given_name": "Zephyrine",
            "family_name": "Quilfeather",
            "date_of_birth": "2019-06-14",
            "sex": "F",
            "postcode": "NB1 4QT",
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["linkage"]["outcome"] == "already linked"
    assert Person.objects.count() == persons + 1


def test_a_match_in_the_grey_zone_makes_a_new_person_and_waits_for_review(linked):
    model = LinkageModel.objects.get(is_active=True)
    # The grey zone is the model's to configure: here nothing is certain enough.
    model.match_threshold = 1.0
    model.save(update_fields=["match_threshold"])
    known = _known_child()
    sent = _send(_record_of(known, "N-GREY-1"))

    assert sent["linkage"]["outcome"] == str(Outcome.REVIEW)
    assert sent["linkage"]["person"] != str(known.person_id)
    record = AgencyRecord.objects.get(local_id="N-GREY-1")
    pair = ReviewPair.objects.get(decision__isnull=True, right=record)
    assert pair.left.person_id == known.person_id
    assert pair.match_probability >= model.review_threshold
    assert any(line["label"] for line in pair.explanation)


def test_a_record_that_could_be_either_of_two_people_waits_for_review(linked):
    known = _known_child()
    model = LinkageModel.objects.get(is_active=True)
    # Another person with a record just like the known child's (as twins' records can
    # be, or a pair a reviewer has kept apart).
    other = Person.objects.create(
        given_name=known.given_name,
        family_name=known.family_name,
        date_of_birth=known.date_of_birth,
        sex=known.sex or Sex.UNKNOWN,
        source_agency=known.agency,
        source_system="Other",
        received_on=known.received_on,
    )
    twin = AgencyRecord.objects.create(
        agency=known.agency,
        system="Other",
        local_id="TWIN-1",
        given_name=known.given_name,
        family_name=known.family_name,
        date_of_birth=known.date_of_birth,
        sex=known.sex,
        postcode=known.postcode,
        person=other,
        link_method=LinkMethod.REVIEW,
    )
    index_add(model, agency_records_canonical(_values(twin)))
    sent = _send(_record_of(known, "N-EITHER-1"))

    assert sent["linkage"]["outcome"] == str(Outcome.REVIEW)
    assert sent["linkage"]["person"] not in (str(known.person_id), str(other.pk))
    record = AgencyRecord.objects.get(local_id="N-EITHER-1")
    # The newest record is on the right of each pair (pairs are ordered by record).
    waiting = ReviewPair.objects.filter(decision__isnull=True, right=record)
    persons = {pair.left.person_id for pair in waiting}
    assert persons == {known.person_id, other.pk}


def test_a_record_with_another_nhs_number_never_joins_a_person(linked):
    known = _known_child()
    sent = _send(_record_of(known, "N-NHS-1", nhs_number="9434765870"))
    assert known.nhs_number != "9434765870"
    assert sent["linkage"]["person"] != str(known.person_id)
    assert sent["linkage"]["outcome"] in (str(Outcome.NEW_PERSON), str(Outcome.REVIEW))


def test_a_feed_files_new_records_are_linked_by_the_worker(linked, tmp_path):
    from tellonce.feeds.tests.test_import import feed, run_import

    known = _known_child()
    row = ["P-ARR-1", known.given_name, known.family_name,
           known.date_of_birth.strftime("%d/%m/%Y"), {"M": "1", "F": "2"}.get(known.sex, "0"),
           "", known.postcode, "", "", "", "", "", ""]  # fmt: skip
    agency = AgencyRecord.objects.filter(agency__kind="nhs_trust").first().agency
    path: Path = feed(tmp_path, [row], agency=agency.code)
    run_import(path, agency=agency.code)  # tests run tasks at once, as the worker would

    record = AgencyRecord.objects.get(local_id="P-ARR-1")
    assert record.person_id == known.person_id
    assert LinkEvent.objects.filter(kind=LinkEventKind.ARRIVAL, record_ids=[record.pk]).exists()


def test_records_an_import_killed_part_way_left_unlinked_are_linked_by_the_clock(
    linked, tmp_path, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from tellonce.feeds.tests.test_import import feed, run_import
    from tellonce.linkage.tasks import unlinked_records_tick

    known = _known_child()
    row = ["P-KILLED-1", known.given_name, known.family_name,
           known.date_of_birth.strftime("%d/%m/%Y"), {"M": "1", "F": "2"}.get(known.sex, "0"),
           "", known.postcode, "", "", "", "", "", ""]  # fmt: skip
    agency = AgencyRecord.objects.filter(agency__kind="nhs_trust").first().agency
    settings.RECORDS_LANDED = []  # killed after its rows landed, before it told linkage
    run_import(feed(tmp_path, [row], agency=agency.code), agency=agency.code)
    record = AgencyRecord.objects.get(local_id="P-KILLED-1")
    assert record.person_id is None

    now = timezone.now()
    assert unlinked_records_tick(now) == {"agencies": 0}, "an import may still be at work"
    assert unlinked_records_tick(now + timedelta(minutes=11)) == {"agencies": 1}
    record.refresh_from_db()
    assert record.person_id == known.person_id
    assert unlinked_records_tick(now + timedelta(minutes=12)) == {"agencies": 0}, "once"


def test_the_nightly_run_links_everything_and_is_booked_for_two_in_the_morning(linked):
    from datetime import UTC, datetime

    # 01:30 in winter (GMT) books tonight; 03:00 in summer (BST, UTC+1) books tomorrow.
    assert next_nightly_run(datetime(2026, 12, 1, 1, 30, tzinfo=UTC)) == datetime(
        2026, 12, 1, 2, 0, tzinfo=UTC
    )
    assert next_nightly_run(datetime(2026, 7, 1, 2, 0, tzinfo=UTC)) == datetime(
        2026, 7, 2, 1, 0, tzinfo=UTC
    )
    # Tests run tasks at once, with nothing to book; the run itself is the linkage run.
    assert nightly_link_ensure() is None
    result = nightly_link_run.enqueue().return_value
    assert result["run"] > linked.first.pk


def _values(record: AgencyRecord) -> Any:
    from tellonce.linkage.services import RECORD_FIELDS

    return AgencyRecord.objects.filter(pk=record.pk).values_list(*RECORD_FIELDS)


def test_a_very_large_feed_is_linked_by_one_linkage_run(linked, tmp_path, monkeypatch):
    from tellonce.feeds.tests.test_import import feed, run_import
    from tellonce.linkage import tasks
    from tellonce.linkage.models import LinkRun

    monkeypatch.setattr(tasks, "ARRIVALS_AT_MOST", 1)
    known = _known_child()
    rows = [
        [local_id, known.given_name, known.family_name,
         known.date_of_birth.strftime("%d/%m/%Y"), "0", "", known.postcode,
         "", "", "", "", "", ""]
        for local_id in ("P-BIG-1", "P-BIG-2")
    ]  # fmt: skip
    agency = AgencyRecord.objects.filter(agency__kind="nhs_trust").first().agency
    runs = LinkRun.objects.count()
    run_import(feed(tmp_path, rows, agency=agency.code), agency=agency.code)
    assert LinkRun.objects.count() == runs + 1
    for record in AgencyRecord.objects.filter(local_id__startswith="P-BIG-"):
        assert record.person_id == known.person_id
