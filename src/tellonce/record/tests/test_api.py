"""The record through the API, as an agency system uses it: the same access rules and
audit as the pages, errors that name the field, identifiers kept with their history."""

from __future__ import annotations

import pytest
from django.test import Client

from tellonce.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def system(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def test_oakfields_system_reads_jacks_record_with_sources(world):
    body = system(world.school_token).get(f"/api/v1/people/{world.jack.pk}/").json()
    assert body["given_name"] == "Jack"
    nhs = next(i for i in body["identifiers"] if i["scheme"] == "nhs")
    assert nhs["value"] == "9434765919"
    assert nhs["source"]["agency"] == "Northbrook Community Health NHS Trust"
    assert {m["relationship"] for m in body["family"]} >= {"Mother", "Half-sibling"}
    event = AuditEvent.objects.get(action=Action.VIEW, person=world.jack)
    assert event.channel == "api" and event.actor == world.school_system


def test_the_police_token_cannot_read_what_the_police_may_not(world):
    response = system(world.police_token).get(f"/api/v1/people/{world.jack.pk}/")
    assert response.status_code == 403
    body = response.json()
    assert "who to contact" in body["errors"][0]["message"]
    assert body["flag"].endswith(f"/api/v1/people/{world.jack.pk}/flag/")
    assert "identifiers" not in body and "9434765919" not in response.content.decode()


def test_the_police_token_reads_amir_because_the_police_investigate(world):
    response = system(world.police_token).get(f"/api/v1/people/{world.amir.pk}/")
    assert response.status_code == 200
    assert response.json()["access"] == "agency_involved"


def test_search_errors_name_the_field(world):
    client = system(world.police_token)
    response = client.post(
        "/api/v1/people/search/", {"family_name": "Taylor"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "given_name"
    response = client.post(
        "/api/v1/people/search/",
        {"family_name": "Taylor", "date_of_birth": "2015-13"},
        content_type="application/json",
    )
    assert response.json()["errors"] == [
        {"field": "date_of_birth", "message": "Month must be a number from 1 to 12"}
    ]


def test_search_by_partial_date_marks_what_the_caller_may_open(world, signed_in):
    year = world.jack.date_of_birth.year
    query = {"given_name": "jack", "family_name": "taylor", "date_of_birth": str(year)}
    hits = (
        signed_in(world.tom)
        .post("/api/v1/people/search/", query, content_type="application/json")
        .json()
    )
    assert hits[0]["person"]["id"] == str(world.jack.pk)
    assert hits[0]["full_access"] is False
    # An agency system is not a practitioner: it searches for no one (issue 12).
    refused = system(world.police_token).post(
        "/api/v1/people/search/", query, content_type="application/json"
    )
    assert refused.status_code == 403


def test_a_bad_identifier_is_refused_naming_the_field_and_nothing_is_written(world):
    client = system(world.school_token)
    response = client.post(
        f"/api/v1/people/{world.jack.pk}/identifiers/",
        {"scheme": "upn", "value": "A801200110001"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "value",
            "message": "This is not a valid unique pupil number: its check letter does not match",
        }
    ]
    assert not AuditEvent.objects.filter(action=Action.CHANGE).exists()


def test_recording_and_archiving_an_identifier_keeps_history(world):
    from tellonce.people.models import PersonIdentifier

    client = system(world.school_token)
    created = client.post(
        f"/api/v1/people/{world.jack.pk}/identifiers/",
        {"scheme": "council", "value": "nbc-778812"},
        content_type="application/json",
    ).json()
    assert created["value"] == "NBC-778812"
    assert created["source"]["agency"] == "Oakfield Primary School"
    archived = client.post(
        f"/api/v1/people/{world.jack.pk}/identifiers/{created['id']}/archive/",
        {"reason": "Belongs to his cousin"},
        content_type="application/json",
    )
    assert archived.status_code == 200
    assert not world.jack.identifiers.filter(value="NBC-778812").exists()
    kept = PersonIdentifier.all_objects.get(pk=created["id"])
    assert (
        kept.archive_reason == "Belongs to his cousin" and kept.archived_by == world.school_system
    )
    changes = AuditEvent.objects.filter(action=Action.CHANGE, person=world.jack).count()
    assert changes == 2
