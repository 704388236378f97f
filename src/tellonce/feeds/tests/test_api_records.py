"""`POST /api/v1/records/`: the police system sends one of its records as a feed row
would, checked the same way; practitioners cannot."""

from __future__ import annotations

import pytest
from django.test import Client

from tellonce.audit.models import Action, AuditEvent, Channel
from tellonce.feeds.models import ReportedInvolvement
from tellonce.people.models import AgencyRecord, LinkMethod

pytestmark = pytest.mark.django_db

AMIR = {
    "system": "Niche RMS",
    "record_id": "N1001",
    "given_name": "Amir",
    "family_name": "Hassan",
    "date_of_birth": "2013-11-30",
    "sex": "M",
    "police_ref": "nbp/0001001",
    "postcode": "nb1 4qt",
    "team": "Public protection unit",
    "capacity": "police_investigation",
    "started_on": "2025-01-06",
    "practitioner": "Olly Grant",
    "lead_professional": False,
}


def system(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def send(client: Client, body: object):
    return client.post("/api/v1/records/", body, content_type="application/json")


def test_the_police_system_sends_a_new_record(world):
    response = send(system(world.police_token), AMIR)

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "new"
    assert (body["agency"], body["system"], body["record_id"]) == ("NBP", "Niche RMS", "N1001")
    assert (body["police_ref"], body["postcode"]) == ("NBP/0001001", "NB1 4QT")
    assert body["involvements"][0]["team"] == "Public protection unit"
    record = AgencyRecord.objects.get(local_id="N1001")
    assert record.agency == world.police and record.created_by == world.police_system
    assert record.feed is None and record.link_method == LinkMethod.UNLINKED
    # No linkage model is trained yet: the record waits for the first run.
    assert body["linkage"] == {"outcome": "waiting for the first linkage run", "person": None}
    assert ReportedInvolvement.objects.get(agency_record=record).practitioner_name == "Olly Grant"
    event = AuditEvent.objects.get(action=Action.CHANGE)
    assert event.channel == Channel.API and event.actor == world.police_system


def test_sending_the_same_record_again_is_unchanged_and_a_change_updates(world):
    client = system(world.police_token)
    send(client, AMIR)

    again = send(client, AMIR)
    moved = send(client, AMIR | {"postcode": "NB2 5RS"})

    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert moved.status_code == 201 and moved.json()["status"] == "updated"
    assert AgencyRecord.objects.get().postcode == "NB2 5RS"
    assert AuditEvent.objects.filter(action=Action.CHANGE).count() == 2


def test_each_bad_field_is_named_and_nothing_is_written(world):
    response = send(
        system(world.police_token),
        AMIR
        | {
            "date_of_birth": "2013-02-30",
            "nhs_number": "9434765918",
            "team": "Health visiting",
            "favourite_colour": "blue",
        },
    )

    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "favourite_colour": "is not a field TellOnce knows",
        "date_of_birth": "is not a date like 2015-03-27",
        "nhs_number": "This is not a valid NHS number: its check digit does not match."
        " Check each digit",
        "team": "is not a team of Northbrook Police",
    }
    assert not AgencyRecord.objects.exists()
    assert "2013-02-30" not in response.content.decode()


def test_a_record_without_its_id_surname_or_system_is_refused(world):
    body = {k: v for k, v in AMIR.items() if k not in ("record_id", "family_name", "system")}

    response = send(system(world.police_token), body)

    fields = {e["field"] for e in response.json()["errors"]}
    assert response.status_code == 400
    assert fields == {"record_id", "family_name", "system"}


def test_without_a_token_the_caller_is_refused(world):
    assert send(Client(), AMIR).status_code == 401


def test_a_practitioner_cannot_send_records(world, signed_in):
    response = send(signed_in(world.olly), AMIR)

    assert response.status_code == 403
    assert "system accounts" in response.json()["errors"][0]["message"]
    assert not AgencyRecord.objects.exists()


def test_the_endpoint_is_in_the_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/records/" in schema["paths"]
