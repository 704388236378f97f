"""The inspection's practice study, end to end through the API. A mother and her
children live in temporary accommodation. The school, housing, the health visitor and
early help each start working with someone in the household and send their record,
each under slightly different details. TellOnce knows them for the same family: each
agency is told of all the others within the minute, the four involvements are on the
family's chronology, and a police officer who is not involved still sees only who to
contact."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest
from django.test import Client

from tellonce.accounts.models import User
from tellonce.alerts.models import Alert
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.conftest import sign_in_fully
from tellonce.linkage.tests.conftest import linked  # noqa: F401 (the seeded, linked borough)
from tellonce.organisations.models import Service, Team
from tellonce.people.models import HouseholdMember, Person

pytestmark = pytest.mark.django_db


def _family() -> tuple[Person, Person, Person]:
    """A seeded household with a mother, a school-age child and a child under five,
    each with a postcode on record."""
    for household in HouseholdMember.objects.values_list("household", flat=True).distinct():
        members = [
            m.person
            for m in HouseholdMember.objects.filter(household=household, left_on__isnull=True)
            .select_related("person")
            .order_by("person__date_of_birth")
        ]
        born = [(p, p.date_of_birth) for p in members if p.date_of_birth]
        adults = [p for p, d in born if d.year <= 2000 and p.sex == "F"]
        pupils = [p for p, d in born if 2012 <= d.year <= 2019]
        babies = [p for p, d in born if d.year >= 2022]
        if adults and pupils and babies:
            return adults[0], pupils[0], babies[0]
    pytest.skip("the seeded borough has no such household")


def _system(username: str, team: Team) -> Client:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username, team=team, is_system_account=True, job_title="Interface"
        )
    from tellonce.accounts.services import api_token_issue
    from tellonce.audit.services import COMMAND_LINE

    token = api_token_issue(user=user, by=None, via=COMMAND_LINE)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def _postcode(person: Person) -> str:
    residence = person.residences.select_related("address").order_by("-moved_in").first()
    assert residence is not None
    return residence.address.postcode


def _nhs_number(person: Person) -> dict[str, str]:
    number = person.identifiers.filter(scheme="nhs").values_list("value", flat=True).first()
    return {"nhs_number": number} if number else {}


def _send(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/records/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_four_agencies_start_with_one_family_and_all_of_them_know(
    linked,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    mother, pupil, baby = _family()
    school = Team.objects.filter(service=Service.SCHOOL_SAFEGUARDING).first()
    housing = Team.objects.get(service=Service.HOUSING)
    health_visiting = Team.objects.get(service=Service.HEALTH_VISITING)
    early_help = Team.objects.get(service=Service.EARLY_HELP)
    teams = [school, housing, health_visiting, early_help]
    started = date(2026, 2, 20)

    def involvement(team: Team, capacity: str) -> dict[str, Any]:
        return {"team": team.name, "capacity": capacity, "started_on": started.isoformat()}

    clock = time.monotonic()
    # Each request commits; tests run the worker's delivery when it does.
    with django_capture_on_commit_callbacks(execute=True):
        sent = _four_records(mother, pupil, baby, involvement)
    seconds = time.monotonic() - clock

    # Each record was recognised as the family member it is.
    assert [s["linkage"]["person"] for s in sent] == [
        str(pupil.pk),
        str(mother.pk),
        str(baby.pk),
        str(pupil.pk),
    ]
    # Each of the four teams was told of all three others, within the minute.
    assert seconds < 60
    for team in teams:
        told = " ".join(a.body for a in Alert.objects.filter(team=team, delivered_on__isnull=False))
        for other in teams:
            if other != team:
                assert other.name in told, (team.name, other.name)
    # The four involvements are on the family's chronology; the school, reading the
    # pupil's, sees early help's beside its own.
    family = ChronologyEvent.objects.filter(
        person__in=[mother, pupil, baby], kind=EventKind.INVOLVEMENT_STARTED
    )
    for team in teams:
        assert family.filter(summary__startswith=f"{team.named} ").exists(), team.name
    pupils = _system("school-family-test", school).get(
        f"/api/v1/people/{pupil.pk}/chronology/", {"kind": "involvement_started"}
    )
    summaries = " ".join(e["summary"] for e in pupils.json())
    assert school.name in summaries and early_help.name in summaries
    # A police officer not involved sees who to contact, never the record.
    tom = sign_in_fully(Client(), User.objects.get(username="tom.police"))
    for person in (mother, pupil, baby):
        assert tom.get(f"/api/v1/people/{person.pk}/").status_code == 403
        flag = tom.get(f"/api/v1/people/{person.pk}/flag/")
        assert flag.status_code == 200 and flag.json()["contacts"]


def _four_records(mother: Person, pupil: Person, baby: Person, involvement: Any) -> list[Any]:
    school = Team.objects.filter(service=Service.SCHOOL_SAFEGUARDING).first()
    housing = Team.objects.get(service=Service.HOUSING)
    health_visiting = Team.objects.get(service=Service.HEALTH_VISITING)
    early_help = Team.objects.get(service=Service.EARLY_HELP)
    return [
        # The school knows the pupil under a misspelt family name.
        _send(
            _system("school-family-test", school),
            {
                "system": "SIMS",
                "record_id": "SIMS-F1",
                "given_name": pupil.given_name,
                "family_name": pupil.family_name[:-1] + pupil.family_name[-1].upper() + "e",
                "date_of_birth": pupil.date_of_birth.isoformat(),
                "sex": pupil.sex,
                "postcode": _postcode(pupil).lower(),
            }
            | involvement(school, "school"),
        ),
        # Housing has the mother, her postcode written without its space.
        _send(
            _system("housing-family-test", housing),
            {
                "system": "Northgate Housing",
                "record_id": "HSG-F1",
                "given_name": mother.given_name.upper(),
                "family_name": mother.family_name,
                "date_of_birth": mother.date_of_birth.isoformat(),
                "sex": mother.sex,
                "postcode": _postcode(mother).replace(" ", ""),
            }
            | involvement(housing, "housing"),
        ),
        # The health visitor has the baby, with her NHS number.
        _send(
            _system("health-family-test", health_visiting),
            {
                "system": "SystmOne",
                "record_id": "S1-F1",
                "given_name": baby.given_name,
                "family_name": baby.family_name,
                "date_of_birth": baby.date_of_birth.isoformat(),
                "sex": baby.sex,
                "postcode": _postcode(baby),
                **_nhs_number(baby),
            }
            | involvement(health_visiting, "health_visiting"),
        ),
        # Early help works with the pupil too, from its own system.
        _send(
            _system("earlyhelp-family-test", early_help),
            {
                "system": "EHM",
                "record_id": "EHM-F1",
                "given_name": pupil.given_name,
                "family_name": pupil.family_name,
                "date_of_birth": pupil.date_of_birth.isoformat(),
                "postcode": _postcode(pupil),
            }
            | involvement(early_help, "early_help"),
        ),
    ]
