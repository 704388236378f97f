"""Search says what it matched: every result has an age and says child or adult ("Find
a child" finds Kerry, Jack's mother, too); a search without a date of birth says it
matched on name only; a long list says how many it is showing of how many, and what
would narrow it."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from tellonce.audit.models import Action, AuditEvent
from tellonce.people.models import NameKind, Person, PersonName
from tellonce.record.selectors import SEARCH_RESULT_LIMIT

pytestmark = pytest.mark.django_db


def search(client, **fields) -> str:
    data = {
        "given_name": "",
        "family_name": "",
        "dob_day": "",
        "dob_month": "",
        "dob_year": "",
        "identifier": "",
    }
    data.update(fields)
    page = client.post(reverse("people:search"), data)
    assert page.status_code == 200
    return re.sub(r"\s+", " ", html.unescape(page.content.decode()))


def row_of(page: str, name: str) -> str:
    start = page.index(name)
    return page[start : page.index("</tr>", start)]


def test_every_result_says_its_age_and_child_or_adult(world, signed_in):
    page = search(signed_in(world.sam), given_name="K", family_name="Taylor")
    kerry = row_of(page, "Kerry Taylor")
    assert f'<td class="govuk-table__cell">{world.kerry.age}, adult</td>' in kerry
    page = search(signed_in(world.sam), given_name="Jack", family_name="Taylor")
    assert f"{world.jack.age}, child" in row_of(page, "Jack Taylor")


def test_a_baby_is_said_in_months_and_no_date_of_birth_is_said(world, signed_in):
    Person.objects.filter(pk=world.lily.pk).update(date_of_birth=date(2026, 3, 20))
    unknown = Person.objects.create(
        given_name="Lila",
        family_name="Taylor",
        source_agency=world.health,
        source_system="SystmOne",
    )
    PersonName.objects.create(
        person=unknown,
        kind=NameKind.CURRENT,
        given_name="Lila",
        family_name="Taylor",
        source_agency=world.health,
        source_system="SystmOne",
    )
    with time_machine.travel(date(2026, 12, 4), tick=False):
        page = search(signed_in(world.priya), given_name="Lily", family_name="Taylor")
    assert "8 months, child" in row_of(page, "Lily Taylor")
    assert "Age not known" in row_of(page, "Lila Taylor")
    # Her record has no date of birth, and none was asked: name only.
    assert "Matched on name only (first and last name; no date of birth was given)" in row_of(
        page, "Lila Taylor"
    )


def test_without_a_date_of_birth_the_match_is_said_to_be_on_name_only(world, signed_in):
    page = search(signed_in(world.dana), given_name="Jack", family_name="Taylor")
    jack = row_of(page, "Jack Taylor")
    assert "Matched on name only (first and last name; no date of birth was given)" in jack
    assert "date of birth:" not in jack.lower()
    assert "on name and date of birth" not in page


def test_what_was_compared_is_said_for_a_year_or_a_full_date(world, signed_in):
    born = world.jack.date_of_birth
    client = signed_in(world.dana)
    by_year = search(client, family_name="Taylor", dob_year=born.year)
    assert "Matched on last name and year of birth" in row_of(by_year, "Jack Taylor")
    full = search(
        client,
        given_name="Jack",
        family_name="Taylor",
        dob_day=born.day,
        dob_month=born.month,
        dob_year=born.year,
    )
    assert "Matched on first and last name and date of birth" in row_of(full, "Jack Taylor")
    by_nhs = search(client, identifier="943 476 5919")
    assert "Matched on NHS number" in row_of(by_nhs, "Jack Taylor")


def _many_taylors(world, how_many: int) -> None:
    for n in range(how_many):
        person = Person.objects.create(
            given_name="Jack",
            family_name="Taylor",
            date_of_birth=date(1960 + n % 30, 1 + n % 12, 1 + n % 28),
            source_agency=world.council,
            source_system="Mosaic",
        )
        PersonName.objects.create(
            person=person,
            kind=NameKind.CURRENT,
            given_name="Jack",
            family_name="Taylor",
            source_agency=world.council,
            source_system="Mosaic",
        )


def test_a_long_list_says_how_many_it_shows_of_how_many_and_how_to_narrow_it(world, signed_in):
    _many_taylors(world, 40)
    client = signed_in(world.sam)
    page = search(client, given_name="Jack", family_name="Taylor")
    assert f"Showing {SEARCH_RESULT_LIMIT} of 41 results" in page
    assert "Add a date of birth to narrow it." in page
    # As alike by name, the child comes before the forty adults.
    first = page[page.index('<tbody class="govuk-table__body">') :]
    assert f"{world.jack.age}, child" in row_of(first, "Jack Taylor")
    assert page.count('<tr class="govuk-table__row">') == SEARCH_RESULT_LIMIT + 1  # and the head
    event = AuditEvent.objects.filter(action=Action.SEARCH).latest("pk")
    assert (event.detail["results"], event.detail["matched"]) == (25, 41)

    born = world.jack.date_of_birth
    narrowed = search(
        client,
        given_name="Jack",
        family_name="Taylor",
        dob_day=born.day,
        dob_month=born.month,
        dob_year=born.year,
    )
    assert 'id="results">Showing' not in narrowed and 'id="results">1 result</h2>' in narrowed
    assert f"{world.jack.age}, child" in row_of(narrowed, "Jack Taylor")


def test_with_only_a_year_of_birth_the_full_date_would_narrow_it(world, signed_in):
    born = world.jack.date_of_birth
    for n in range(30):
        person = Person.objects.create(
            given_name="Jake",
            family_name="Taylor",
            date_of_birth=date(born.year, 1 + n % 12, 1 + n % 28),
            source_agency=world.school,
            source_system="SIMS",
        )
        PersonName.objects.create(
            person=person,
            kind=NameKind.CURRENT,
            given_name="Jake",
            family_name="Taylor",
            source_agency=world.school,
            source_system="SIMS",
        )
    page = search(
        signed_in(world.dana), given_name="Jack", family_name="Taylor", dob_year=born.year
    )
    assert f"Showing {SEARCH_RESULT_LIMIT} of 31 results" in page
    assert "Add the full date of birth to narrow it." in page


def test_a_short_list_just_says_how_many(world, signed_in):
    page = search(signed_in(world.sam), given_name="Amir", family_name="Hassan")
    assert 'id="results">1 result</h2>' in page and "Showing" not in page
