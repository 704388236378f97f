"""A family new to TellOnce arrives as in the practice study's trial, each agency's own
system sending its records through `POST /api/v1/records/`: the school sends the pupil
with his mother as a contact, housing the mother and the children in her household,
health visiting the two youngest with their mother, early help all four. Linked on
arrival, what the records say of the family becomes relationships and a household, and
every team is told of every other team, as for a household the seed made."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from itertools import permutations

import pytest
from django.test import Client
from django.utils import timezone

from tellonce.accounts.models import User
from tellonce.accounts.services import api_token_issue
from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import deliveries_send
from tellonce.alerts.tasks import alerts_webhooks
from tellonce.audit.services import COMMAND_LINE
from tellonce.feeds.models import ReportedFamily
from tellonce.organisations.models import Team
from tellonce.people.models import AgencyRecord, HouseholdMember, Relationship
from tellonce.people.selectors import household_of

pytestmark = pytest.mark.django_db
STARTED = "2026-02-02"
POSTCODE = "NB7 9ZZ"
KERRY = {"given_name": "Kerrianne", "family_name": "Oduya", "date_of_birth": "1994-06-11"}
JACK = {"given_name": "Jaxon", "family_name": "Oduya", "date_of_birth": "2018-05-02", "sex": "M"}
LILY = {"given_name": "Lilou", "family_name": "Oduya", "date_of_birth": "2023-09-14", "sex": "F"}
MAX = {"given_name": "Maxen", "family_name": "Oduya", "date_of_birth": "2025-11-20", "sex": "M"}


def _system(team: Team, name: str) -> Client:
    account = User.objects.create(username=name, first_name=name, team=team, is_system_account=True)
    token = api_token_issue(user=account, by=None, via=COMMAND_LINE)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def _send(client: Client, body: dict) -> dict:
    response = client.post(
        "/api/v1/records/", {"postcode": POSTCODE, **body}, content_type="application/json"
    )
    assert response.status_code in (200, 201), response.json()
    return response.json()


def _person(agency_code: str, record_id: str):
    return AgencyRecord.objects.get(agency__code=agency_code, local_id=record_id).person


def _teams():
    school = Team.objects.filter(pk=dsl_school_team_pk()).get()
    named = {
        t.service: t for t in Team.objects.filter(name__in=["Early help team", "Health visiting"])
    }
    housing = Team.objects.filter(agency__kind="housing").order_by("pk").first()
    return school, housing, named["health_visiting"], named["early_help"]


def dsl_school_team_pk() -> int:
    return User.objects.get(username="dana.dsl").team_id


def test_a_family_new_to_tellonce_is_one_household_and_every_team_hears_of_every_other(
    linked, receiver
):
    school, housing, visiting, early_help = _teams()
    teams = {"school": school, "housing": housing, "visiting": visiting, "early": early_help}

    # The school: the pupil, with his mother as a contact (she lives with him).
    pupil = _send(
        _system(school, "trial-school"),
        {
            "system": "SIMS",
            "record_id": "UPN-TRIAL-1",
            **JACK,
            "team": school.name,
            "capacity": "school",
            "started_on": STARTED,
            "contact1_given_name": KERRY["given_name"],
            "contact1_family_name": KERRY["family_name"],
            "contact1_is": "Mum",
            "contact1_phone": "07700 900123",
            "contact1_parental_responsibility": True,
            "contact1_lives_with": True,
        },
    )
    assert pupil["linkage"]["person"] is not None
    # Housing: the mother and the children in her household in temporary accommodation.
    housing_system = _system(housing, "trial-housing")
    for record_id, who, work in (
        ("H-TRIAL-K", KERRY, {"team": housing.name, "capacity": "housing", "started_on": STARTED}),
        ("H-TRIAL-J", JACK, {}),
        ("H-TRIAL-L", LILY, {}),
        ("H-TRIAL-M", MAX, {}),
    ):
        _send(
            housing_system,
            {"system": "Abritas", "record_id": record_id, **who, **work, "household_ref": "TA-77"},
        )
    # Health visiting: the two youngest, each with their mother.
    visiting_system = _system(visiting, "trial-hv")
    _send(visiting_system, {"system": "SystmOne", "record_id": "HV-K", **KERRY})
    for record_id, who in (("HV-L", LILY), ("HV-M", MAX)):
        _send(
            visiting_system,
            {
                "system": "SystmOne",
                "record_id": record_id,
                **who,
                "team": visiting.name,
                "capacity": "health_visiting",
                "started_on": STARTED,
                "relative1_record": "HV-K",
                "relative1_is": "mother",
                "relative1_parental_responsibility": True,
                "relative1_lives_with": True,
            },
        )
    # Early help: all four, one family.
    early_system = _system(early_help, "trial-eh")
    for record_id, who in (("EH-K", KERRY), ("EH-J", JACK), ("EH-L", LILY), ("EH-M", MAX)):
        _send(
            early_system,
            {
                "system": "EHM",
                "record_id": record_id,
                **who,
                "team": early_help.name,
                "capacity": "early_help",
                "started_on": STARTED,
                "household_ref": "EH-FAM-9",
            },
        )
    deliveries_send()

    # Four people, kept apart, each known to every agency that sent them.
    kerry, jack = _person("HSG999", "H-TRIAL-K"), _person("HSG999", "H-TRIAL-J")
    lily, max_ = _person("HSG999", "H-TRIAL-L"), _person("HSG999", "H-TRIAL-M")
    assert len({kerry.pk, jack.pk, lily.pk, max_.pk}) == 4
    school_contact = AgencyRecord.objects.get(local_id="UPN-TRIAL-1#contact-1")
    assert school_contact.person == kerry
    # The school's word and health visiting's: relationships with their provenance.
    mother_of = Relationship.objects.filter(person=kerry, kind="mother")
    assert {(r.relative_id, r.source_agency_id) for r in mother_of} == {
        (jack.pk, school.agency_id),
        (lily.pk, visiting.agency_id),
        (max_.pk, visiting.agency_id),
    }
    assert all(r.has_parental_responsibility for r in mother_of)
    assert {p.pk for p in household_of(jack)} == {kerry.pk, lily.pk, max_.pk}
    # Every team is told of every other team's work with the family.
    for (a, to), (b, other) in permutations(teams.items(), 2):
        told = Alert.objects.filter(team=to, kind=AlertKind.NOW_INVOLVED, involvement__team=other)
        newcomer = Alert.objects.filter(
            team=to, kind=AlertKind.ALREADY_INVOLVED, body__contains=other.name
        )
        assert told.exists() or newcomer.exists(), f"{a} was not told of {b}"
    assert not Alert.objects.filter(kind=AlertKind.NOW_INVOLVED, delivered_on__isnull=True).exists()

    # The police MASH desk's system, registered for webhooks, is pushed the report when
    # housing reports the pupil missing: one signed POST about that episode.
    desk = Client(
        HTTP_AUTHORIZATION="Token "
        + api_token_issue(
            user=User.objects.get(username="police-mash-system"), by=None, via=COMMAND_LINE
        )
    )
    hooked = desk.post("/api/v1/webhooks/", {"url": receiver.url}, content_type="application/json")
    assert hooked.status_code == 201, hooked.content
    reported = housing_system.post(
        f"/api/v1/people/{jack.pk}/missing-episodes/",
        {
            "last_seen_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "last_seen_where": "The temporary accommodation's front door",
            "circumstances": "Did not come home after school; blue coat, no phone.",
            "risk": "high",
            "reporter_name": "Housing options duty officer",
            "reporter_role": "Housing officer",
            "reporter_phone": "020 7946 0500",
        },
        content_type="application/json",
    )
    assert reported.status_code == 201, reported.content
    episode = reported.json()["id"]
    alerts_webhooks.call()
    (pushed,) = receiver.received
    about = json.loads(pushed.body)["about"]
    assert (about["type"], about["id"]) == ("missing_episode", episode)
    assert desk.get(about["url"]).status_code == 200


def test_what_a_record_no_longer_says_follows_it(linked):
    school = User.objects.get(username="dana.dsl").team
    client = _system(school, "trial-school-2")
    base = {"system": "SIMS", "record_id": "UPN-TRIAL-2", **LILY}
    said = {
        "contact1_given_name": "Kerrianne",
        "contact1_family_name": "Oduya",
        "contact1_is": "mother",
        "contact1_lives_with": True,
    }
    _send(client, base | said)
    lily = _person(school.agency.code, "UPN-TRIAL-2")
    kerry = _person(school.agency.code, "UPN-TRIAL-2#contact-1")
    assert Relationship.objects.filter(person=kerry, relative=lily, kind="mother").exists()
    assert {p.pk for p in household_of(lily)} == {kerry.pk}

    # The school now says she is the pupil's carer and does not live with her.
    _send(client, base | said | {"contact1_is": "carer", "contact1_lives_with": False})
    assert not Relationship.objects.filter(person=kerry, relative=lily, kind="mother").exists()
    assert Relationship.objects.filter(person=kerry, relative=lily, kind="carer").exists()
    assert household_of(lily) == []
    assert HouseholdMember.objects.filter(person=kerry, left_on__isnull=False).exists()
    assert ReportedFamily.objects.get(agency_record__local_id="UPN-TRIAL-2")


def test_a_relative_or_contact_said_wrongly_is_refused_naming_the_field(linked):
    school = User.objects.get(username="dana.dsl").team
    client = _system(school, "trial-school-3")
    response = client.post(
        "/api/v1/records/",
        {
            "system": "SIMS",
            "record_id": "UPN-TRIAL-3",
            **MAX,
            "relative1_is": "neighbour",
            "contact1_given_name": "Kerrianne",
            "contact1_is": "mother",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"relative1_record", "relative1_is", "contact1_family_name"}
    assert not AgencyRecord.objects.filter(local_id__startswith="UPN-TRIAL-3").exists()


def test_a_schools_feed_of_pupils_and_their_contacts_makes_the_family(
    linked, tmp_path, django_capture_on_commit_callbacks
):
    import csv

    import yaml
    from django.core.management import call_command

    school = User.objects.get(username="dana.dsl").team
    mapping = {
        "agency": school.agency.code,
        "system": "SIMS",
        "record_id": "UPN",
        "given_name": "Forename",
        "family_name": "Surname",
        "date_of_birth": {"column": "DOB", "format": "%d/%m/%Y"},
        "postcode": "Postcode",
        "contact1_given_name": "Contact 1 Forename",
        "contact1_family_name": "Contact 1 Surname",
        "contact1_is": "Contact 1 Relationship",
        "contact1_phone": "Contact 1 Telephone",
        "contact1_parental_responsibility": "Contact 1 Parental Responsibility",
        "contact1_lives_with": "Contact 1 Lives With Pupil",
    }
    path = tmp_path / "sims.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["UPN", "Forename", "Surname", "DOB", "Postcode", *(
            f"Contact 1 {c}"
            for c in ("Forename", "Surname", "Relationship", "Telephone",
                      "Parental Responsibility", "Lives With Pupil")
        )])  # fmt: skip
        writer.writerow(["UPN-F-1", "Jaxon", "Oduya", "02/05/2018", POSTCODE,
                         "Kerrianne", "Oduya", "Mother", "07700 900123", "Y", "Y"])  # fmt: skip
        writer.writerow(["UPN-F-2", "Lilou", "Oduya", "14/09/2019", POSTCODE,
                         "Kerrianne", "Oduya", "Mother", "07700 900123", "Y", "Y"])  # fmt: skip
        writer.writerow(["UPN-F-3", "Maxen", "Oduya", "20/11/2020", POSTCODE,
                         "Kerrianne", "Oduya", "Neighbour", "", "", ""])  # fmt: skip
    path.with_suffix(".yaml").write_text(yaml.safe_dump(mapping), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import", str(path), "--agency", school.agency.code, stdout=io.StringIO())

    # The third row's relationship is not one we know: reported and skipped, the rest land.
    jaxon = _person(school.agency.code, "UPN-F-1")
    lilou = _person(school.agency.code, "UPN-F-2")
    mother = _person(school.agency.code, "UPN-F-1#contact-1")
    assert mother is not None and _person(school.agency.code, "UPN-F-2#contact-1") == mother
    assert not AgencyRecord.objects.filter(local_id__startswith="UPN-F-3").exists()
    assert {r.relative_id for r in Relationship.objects.filter(person=mother, kind="mother")} == {
        jaxon.pk,
        lilou.pk,
    }
    assert {p.pk for p in household_of(jaxon)} == {mother.pk}
    assert {p.pk for p in household_of(mother)} == {jaxon.pk, lilou.pk}


def test_two_agencies_that_disagree_are_both_kept_and_shown(linked, client):
    from tellonce.conftest import sign_in_fully

    school = User.objects.get(username="dana.dsl").team
    visiting = Team.objects.get(name="Health visiting")
    _send(
        _system(school, "trial-school-4"),
        {
            "system": "SIMS",
            "record_id": "UPN-TRIAL-4",
            **JACK,
            "team": school.name,
            "capacity": "school",
            "started_on": STARTED,
            "contact1_given_name": KERRY["given_name"],
            "contact1_family_name": KERRY["family_name"],
            "contact1_date_of_birth": KERRY["date_of_birth"],
            "contact1_is": "carer",
            "contact1_lives_with": True,
        },
    )
    hv = _system(visiting, "trial-hv-4")
    _send(hv, {"system": "SystmOne", "record_id": "HV-K4", **KERRY})
    _send(
        hv,
        {
            "system": "SystmOne",
            "record_id": "HV-J4",
            **JACK,
            "relative1_record": "HV-K4",
            "relative1_is": "mother",
        },
    )
    jack = _person(school.agency.code, "UPN-TRIAL-4")
    assert _person(visiting.agency.code, "HV-J4") == jack
    said = set(
        Relationship.objects.filter(relative=jack).values_list("kind", "source_agency__name")
    )
    assert said == {("carer", school.agency.name), ("mother", visiting.agency.name)}
    page = sign_in_fully(client, User.objects.get(username="dana.dsl")).get(f"/people/{jack.pk}/")
    shown = page.content.decode()
    assert "Carer or Mother" in shown
    assert f"Said by {school.agency.name}, {visiting.agency.name}" in shown
