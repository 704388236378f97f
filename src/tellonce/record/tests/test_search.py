"""Finding a child: tolerant of typos and part dates, by identifier, and audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tellonce.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def search(client, **fields):
    data = {
        "given_name": "",
        "family_name": "",
        "dob_day": "",
        "dob_month": "",
        "dob_year": "",
        "identifier": "",
    }
    data.update(fields)
    return client.post(reverse("people:search"), data)


def test_dana_finds_jack_despite_a_typo_and_only_the_year(world, signed_in):
    jack_year = str(world.jack.date_of_birth.year)
    page = search(signed_in(world.dana), given_name="Jak", family_name="Tayler", dob_year=jack_year)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Jack Taylor" in html
    assert reverse("people:record", args=[world.jack.pk]) in html
    assert "Full record" in html


def test_a_child_is_found_by_a_previous_surname(world, signed_in):
    dob = world.jack.date_of_birth
    html = search(
        signed_in(world.sam),
        given_name="Jack",
        family_name="Barnes",
        dob_day=dob.day,
        dob_month=dob.month,
        dob_year=dob.year,
    ).content.decode()
    assert "Jack Taylor" in html


def test_day_and_month_swapped_still_finds_the_child(world, signed_in):
    dob = world.jack.date_of_birth  # 2 May: swapped is 5 February
    html = search(
        signed_in(world.sam),
        family_name="Taylor",
        dob_day=dob.month,
        dob_month=dob.day,
        dob_year=dob.year,
    ).content.decode()
    assert "Jack Taylor" in html


def test_search_by_nhs_number_with_spaces(world, signed_in):
    html = search(signed_in(world.tom), identifier="943 476 5919").content.decode()
    assert "Jack Taylor" in html
    # Tom is not involved: the result leads to the flag, not the record.
    assert reverse("people:flag", args=[world.jack.pk]) in html
    assert "Who to contact" in html


def test_search_by_upn(world, signed_in):
    html = search(signed_in(world.dana), identifier="q801200110001").content.decode()
    assert "Jack Taylor" in html


def test_a_surname_alone_is_refused_so_nobody_can_trawl(world, signed_in):
    html = search(signed_in(world.tom), family_name="Taylor").content.decode()
    assert "There is a problem" in html
    assert "Enter a first name or a date of birth as well as the last name" in html
    assert "Jack Taylor" not in html


def test_an_invalid_nhs_number_is_named_as_the_problem(world, signed_in):
    html = search(signed_in(world.tom), identifier="943 476 5918").content.decode()
    assert "This is not a valid NHS number: its check digit does not match" in html


def test_an_impossible_date_is_explained(world, signed_in):
    html = search(
        signed_in(world.tom), family_name="Taylor", dob_day="31", dob_month="2", dob_year="2016"
    ).content.decode()
    assert "Day must be a real day of that month" in html


def test_every_search_is_audited_without_the_names_searched_for(world, signed_in):
    search(signed_in(world.dana), given_name="Jack", family_name="Taylor")
    event = AuditEvent.objects.get(action=Action.SEARCH)
    assert event.actor == world.dana
    assert event.detail["fields"] == ["given_name", "family_name"]
    assert str(world.jack.pk) in event.detail["person_ids"]
    assert "Taylor" not in str(event.detail)


def test_ana_the_analyst_cannot_search(world, signed_in):
    assert signed_in(world.ana).get(reverse("people:search")).status_code == 403


def test_twins_are_listed_separately(world, signed_in):
    from tellonce.people.models import NameKind, Person, PersonName

    twin = Person.objects.create(
        given_name="Jake",
        family_name="Taylor",
        date_of_birth=world.jack.date_of_birth,
        source_agency=world.school,
        source_system="SIMS",
    )
    PersonName.objects.create(
        person=twin,
        kind=NameKind.CURRENT,
        given_name="Jake",
        family_name="Taylor",
        source_agency=world.school,
        source_system="SIMS",
    )
    dob = world.jack.date_of_birth
    html = search(
        signed_in(world.sam),
        given_name="Jack",
        family_name="Taylor",
        dob_day=dob.day,
        dob_month=dob.month,
        dob_year=dob.year,
    ).content.decode()
    assert "Jack Taylor" in html and "Jake Taylor" in html
    assert html.index("Jack Taylor") < html.index("Jake Taylor")
