"""Tell it once: Dana writes down what Jack told her, once; Priya, working with his
family, reads it without asking him again; what was shared without consent says why;
what nobody may share stays with Dana's team."""

from __future__ import annotations

import pytest
from django.test import Client

from tellonce.audit.models import AuditEvent
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.voices.models import Consent, Voice, VoiceKind

pytestmark = pytest.mark.django_db

JACK_SAID = "I don't like going home when mum's boyfriend is there. I want to stay at nan's."


def _add(client: Client, world, **fields):
    data = {
        "kind": VoiceKind.CHILD,
        "speaker": "Jack",
        "words": JACK_SAID,
        "date_day": "27",
        "date_month": "11",
        "date_year": "2026",
        "consent": Consent.GIVEN,
    } | fields
    return client.post(f"/people/{world.jack.pk}/voices/add/", data)


@pytest.fixture
def priya_with_jack(world) -> Involvement:
    return Involvement.objects.create(
        confirmation=Confirmation.SYSTEM_OF_RECORD,
        person=world.jack,
        team=world.health_visiting,
        practitioner=world.priya,
        capacity=Capacity.SCHOOL_NURSING,
        source_agency=world.health,
        source_system="SystmOne",
    )


def test_jacks_words_recorded_once_are_read_by_everyone_working_with_him(
    world, signed_in, priya_with_jack
):
    assert _add(signed_in(world.dana), world).status_code == 302
    voice = Voice.objects.get()
    assert voice.source_agency == world.school and voice.recorded_by == world.dana
    page = signed_in(world.priya).get(f"/people/{world.jack.pk}/").content.decode()
    assert "want to stay at nan" in page
    assert "Shared with consent" in page and "Dana Whyte" in page
    assert AuditEvent.objects.filter(detail__change="voice recorded").exists()
    # Tom, not involved, sees the flag: never the words.
    tom = signed_in(world.tom).get(f"/people/{world.jack.pk}/", follow=True)
    assert "stay at nan" not in tom.content.decode()


def test_without_consent_it_is_shared_only_with_a_safeguarding_reason(
    world, signed_in, priya_with_jack
):
    dana = signed_in(world.dana)
    page = _add(
        dana, world, consent=Consent.REFUSED, safeguarding_reason="Too short"
    ).content.decode()
    assert "Say how sharing without consent safeguards the child" in page
    reason = "Jack describes fear of an adult at home; the health visitor must know to act"
    _add(dana, world, consent=Consent.REFUSED, safeguarding_reason=reason)
    _add(
        dana,
        world,
        kind=VoiceKind.FAMILY,
        speaker="Kerry Taylor, his mother",
        words="Things are fine at home; we do not need anyone.",
        consent=Consent.REFUSED,
    )
    priya = signed_in(world.priya).get(f"/people/{world.jack.pk}/").content.decode()
    assert "Shared without consent to safeguard the child" in priya and reason in priya
    assert "we do not need anyone" not in priya
    dana_page = signed_in(world.dana).get(f"/people/{world.jack.pk}/").content.decode()
    assert "we do not need anyone" in dana_page
    assert "Consent refused: not shared beyond the recording team" in dana_page


def test_each_missing_answer_is_named(world, signed_in):
    page = signed_in(world.dana).post(f"/people/{world.jack.pk}/voices/add/", {}).content
    text = page.decode()
    for message in (
        "Choose whether this is the child&#x27;s voice or the family&#x27;s account",
        "Say who said it",
        "Write what they said, in their words",
        "Say whether they consented to this being shared",
        "Enter the date they said it",
    ):
        assert message in text


def test_through_the_api(world, priya_with_jack):
    school = Client(HTTP_AUTHORIZATION=f"Token {world.school_token}")
    url = f"/api/v1/people/{world.jack.pk}/voices/"
    created = school.post(
        url,
        {
            "kind": "child",
            "speaker": "Jack",
            "words": JACK_SAID,
            "said_on": "2026-11-27",
            "consent": "given",
            "system": "CPOMS",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["lawful_basis"] == "Shared with consent"
    assert [v["speaker"] for v in school.get(url).json()] == ["Jack"]
    bad = school.post(url, {"kind": "child"}, content_type="application/json")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} >= {"speaker", "words", "consent"}
    police = Client(HTTP_AUTHORIZATION=f"Token {world.police_token}")
    assert police.get(url).status_code == 403
