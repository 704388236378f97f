"""Clean text and plausible values (`tellonce.core.text`, `tellonce.core.dates`): what a
page, an agency's system or a feed may not slip into a child's record, refused with the
field's name and the reason; and the names of real people in their own scripts, kept."""

from __future__ import annotations

import importlib
import unicodedata
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.core.dates import birth_date_problem, date_problem
from tellonce.core.text import WORDS_MAX, TextKind, text_checked, text_cleaned, text_problem

CONTROL = "must not contain control characters"
BIDI = "must not contain a right-to-left override or other bidirectional control"
ZERO_WIDTH = "must not contain zero-width characters"
BOM = "must not contain a byte order mark"

#: What an attacker or a broken system sends, and the reason it is refused.
DIRTY = [
    pytest.param("Jack\x00Taylor", CONTROL, id="nul"),
    pytest.param("Jack \x1b[31mTaylor\x1b[0m", CONTROL, id="terminal-escape"),
    pytest.param("Jack\x7f", CONTROL, id="delete"),
    pytest.param("Jack\x85Taylor", CONTROL, id="c1-next-line"),
    pytest.param("Jack\u2028Taylor", CONTROL, id="line-separator"),
    pytest.param("Jack \u202eronliaT", BIDI, id="right-to-left-override"),
    pytest.param("Jack \u2067Taylor\u2069", BIDI, id="right-to-left-isolate"),
    pytest.param("Jack\u200fTaylor", BIDI, id="right-to-left-mark"),
    pytest.param("Ja\u200bck", ZERO_WIDTH, id="zero-width-space"),
    pytest.param("Ja\u2060ck", ZERO_WIDTH, id="word-joiner"),
    pytest.param("\u200dJack", ZERO_WIDTH, id="joiner-at-the-start"),
    pytest.param("Jack \u200c Taylor", ZERO_WIDTH, id="non-joiner-between-spaces"),
    pytest.param("Jack\ufeffTaylor", BOM, id="byte-order-mark-inside"),
]


@pytest.mark.parametrize("kind", list(TextKind))
@pytest.mark.parametrize(("value", "reason"), DIRTY)
def test_dirty_text_is_refused_with_its_reason_in_every_kind_of_field(value, reason, kind):
    assert text_problem(text_cleaned(value, kind), kind) == reason


#: Real names and words, in the scripts of the families TellOnce serves.
CLEAN = [
    pytest.param("Siân O'Neill-Jones", TextKind.NAME, id="welsh-and-irish"),
    pytest.param("\u0645\u0647\u200c\u0631\u0646\u0627\u0632", TextKind.NAME, id="persian-zwnj"),
    pytest.param("\u0915\u094d\u200d\u0937", TextKind.NAME, id="devanagari-zwj"),
    pytest.param("\u05d9\u05e2\u05dc \u05db\u05d4\u05df", TextKind.NAME, id="hebrew"),
    pytest.param("Zhāng Wěi 张伟", TextKind.NAME, id="pinyin-and-hanzi"),
    pytest.param("He said:\n\t'I want my mum'", TextKind.WORDS, id="words-with-line-breaks"),
    pytest.param(
        "We drew our family \U0001f468\u200d\U0001f469\u200d\U0001f467",
        TextKind.WORDS,
        id="emoji-family",
    ),
]


@pytest.mark.parametrize(("value", "kind"), CLEAN)
def test_real_names_and_words_in_every_script_are_kept(value, kind):
    assert text_problem(value, kind) is None
    assert text_checked(value, kind) == value


def test_what_is_kept_is_one_spelling_without_a_leading_byte_order_mark():
    typed_two_ways = "Zoe\u0308"  # e and a combining diaeresis, as some keyboards send it
    assert text_checked(f"\ufeff {typed_two_ways} ", TextKind.NAME) == "Zoë"
    assert unicodedata.is_normalized("NFC", text_checked(typed_two_ways, TextKind.NAME))
    assert text_checked("line one\r\nline two\r", TextKind.WORDS) == "line one\nline two\n"


@pytest.mark.parametrize(
    ("kind", "limit"),
    [
        (TextKind.NAME, 200),
        (TextKind.SHORT, 100),
        (TextKind.LINE, 1_000),
        (TextKind.WORDS, WORDS_MAX),
    ],
)
def test_every_kind_of_text_has_a_length_limit(kind, limit):
    assert text_problem("a" * limit, kind) is None
    assert text_problem("a" * (limit + 1), kind) == f"must be at most {limit:,} characters"
    assert text_problem("a" * 41, kind, max_length=40) == "must be at most 40 characters"


def test_a_line_may_not_break_but_words_may():
    assert text_problem("Oakfield\nPrimary", TextKind.LINE) == CONTROL
    assert text_problem("Oakfield\nPrimary", TextKind.WORDS) is None


# ----- dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "born", "reason"),
    [
        (date(1, 1, 1), None, "must not be before 1900"),
        (date(1899, 12, 31), None, "must not be before 1900"),
        (date(2018, 3, 11), date(2018, 3, 12), "must not be before the person's date of birth"),
        ("tomorrow", None, "must be today or in the past"),
        ("in five minutes", None, "must be in the past"),
        (date(2018, 3, 12), date(2018, 3, 12), None),
        (date(1900, 1, 1), None, None),
    ],
)
def test_a_date_lies_between_the_persons_birth_or_1900_and_now(value, born, reason):
    # Moments relative to now are worked out when the test runs, not when it is collected.
    value = {
        "tomorrow": timezone.localdate() + timedelta(days=1),
        "in five minutes": timezone.now() + timedelta(minutes=5),
    }.get(value, value)
    assert date_problem(value, born=born) == reason


def test_a_date_of_birth_lies_between_1900_and_today():
    assert birth_date_problem(date(1899, 1, 1)) == "must not be before 1900"
    assert birth_date_problem(date.today() + timedelta(days=1)) == "must be today or in the past"
    assert birth_date_problem(date(2018, 3, 12)) is None


# ----- through a page, the API ------------------------------------------------------


def errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def school_posts_an_event(world, **changes: Any) -> Any:
    school = Client(HTTP_AUTHORIZATION=f"Token {world.school_token}")
    body = {
        "kind": "attendance",
        "occurred_on": "2026-11-20",
        "summary": "Attendance 78% this half term; 9 sessions unauthorised",
        "system": "SIMS",
        "external_ref": "ATT-2026-11-20-77",
    }
    return school.post(
        f"/api/v1/people/{world.jack.pk}/chronology/",
        body | changes,
        content_type="application/json",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "reason"), DIRTY[1:10])  # a NUL stops at the parser
def test_oakfields_system_cannot_slip_dirty_text_into_jacks_chronology(world, value, reason):
    response = school_posts_an_event(world, summary=f"Attendance note: {value} was absent")
    assert response.status_code == 400
    assert errors(response) == {"summary": f"Summary {reason}"}
    assert not ChronologyEvent.objects.filter(person=world.jack).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("occurred_on", "reason"),
    [
        ("0001-01-01", "The date of the event must not be before 1900"),
        ("2001-06-01", "The date of the event must not be before the person's date of birth"),
        ("2099-01-01", "The date of the event must be today or in the past"),
    ],
)
def test_an_event_dated_before_jack_was_born_or_1900_is_refused(world, occurred_on, reason):
    response = school_posts_an_event(world, occurred_on=occurred_on)
    assert response.status_code == 400
    assert errors(response) == {"occurred_on": reason}


@pytest.mark.django_db
def test_a_one_line_field_may_not_break_a_line(world):
    response = school_posts_an_event(world, system="SIMS\n2026-11-20 FAKE LOG LINE")
    assert response.status_code == 400
    assert errors(response) == {"system": f"System {CONTROL}"}


@pytest.mark.django_db
def test_words_of_five_megabytes_are_refused_and_twenty_thousand_characters_kept(world):
    school = Client(HTTP_AUTHORIZATION=f"Token {world.school_token}")
    url = f"/api/v1/people/{world.jack.pk}/voices/"
    body = {"kind": "child", "speaker": "Jack", "said_on": "2026-11-27", "consent": "given"}
    long = school.post(url, body | {"words": "I said " * 3_000}, content_type="application/json")
    assert long.status_code == 400
    assert errors(long) == {"words": f"Words must be at most {WORDS_MAX:,} characters"}
    huge = school.post(url, body | {"words": "x" * 5_000_000}, content_type="application/json")
    assert huge.status_code in (400, 413)
    kept = school.post(url, body | {"words": "I said " * 2_800}, content_type="application/json")
    assert kept.status_code == 201, kept.content


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "reason"), DIRTY[1:7])  # Django's own refuses a NUL
def test_dana_cannot_save_dirty_text_from_the_chronology_page(world, signed_in, value, reason):
    page = signed_in(world.dana).post(
        reverse("chronology:add", args=[world.jack.pk]),
        {
            "kind": EventKind.EXCLUSION,
            "date_day": "3",
            "date_month": "11",
            "date_year": "2026",
            "summary": f"Fixed-term exclusion, {value}, after a fight",
        },
    )
    assert page.status_code == 200
    assert f"What happened {reason}" in page.content.decode()
    assert not ChronologyEvent.objects.filter(person=world.jack).exists()


@pytest.mark.django_db
def test_a_dirty_name_in_a_contact_is_refused_where_it_was_sent(world):
    school = Client(HTTP_AUTHORIZATION=f"Token {world.school_token}")
    child = {"given_name": "Jack", "family_name": "\u202erolyaT", "sex": "M"}
    body = {"children": [child], "source": "2A", "concern": "x" * 40, "consent": "given"}
    response = school.post("/api/v1/contacts/", body, content_type="application/json")
    assert response.status_code == 400
    assert errors(response)["children[0].family_name"] == f"Family name {BIDI}"


#: Forms that keep nothing they are given.
UNCHECKED_FORMS = {"SignInForm": "Django's sign-in form: a username is looked up, not kept"}


def test_every_form_and_every_serializer_checks_its_text():
    from django import forms
    from django.apps import apps
    from rest_framework import serializers

    from tellonce.api.text import TextChecked
    from tellonce.core.forms import CheckedForm

    for config in apps.get_app_configs():
        for module in ("forms", "api.serializers"):
            try:
                importlib.import_module(f"{config.name}.{module}")
            except ModuleNotFoundError:
                continue

    def ours(base: type) -> list[type]:
        found, todo = [], [base]
        while todo:
            for sub in todo.pop().__subclasses__():
                todo.append(sub)
                if sub.__module__.startswith("tellonce.") and ".tests" not in sub.__module__:
                    found.append(sub)
        return found

    forms_unchecked = {
        f.__name__ for f in ours(forms.Form) if not issubclass(f, CheckedForm)
    } - set(UNCHECKED_FORMS)
    serializers_unchecked = {
        s.__name__ for s in ours(serializers.Serializer) if not issubclass(s, TextChecked)
    }
    assert (forms_unchecked, serializers_unchecked) == (set(), set())
    assert len(ours(CheckedForm)) > 20 and len(ours(TextChecked)) > 50
