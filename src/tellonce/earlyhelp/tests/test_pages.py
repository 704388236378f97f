"""The early help pages as Dana (Jack's school), Erin (early help) and Priya (his health
visitor) use them: Dana asks from Jack's record, Erin answers from her worklist with
his mother's agreement, Jack's record says who leads, Erin hands over to Priya; Tom,
who has no reason to, cannot open the episode; every look is audited."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.utils import timezone

from tellonce.audit.models import AuditEvent
from tellonce.earlyhelp.models import Episode, EpisodeState, LeadState
from tellonce.involvements.services import lead_professional
from tellonce.organisations.models import Role
from tellonce.testing.forms import date_typed
from tellonce.testing.world import practitioner_make

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


REASON = (
    "Jack is often late and hungry; his mother says she is not coping since the baby"
    " came and asked the school for help with routines and money."
)
AGREED = {
    **date_typed("consent_given_on", timezone.localdate()),
    "consent_given_by": "Kerry Taylor, mother",
    "consent_to_share": "The assessment and plan with the school and the health visitor",
}


def test_dana_asks_erin_accepts_and_jacks_record_says_who_leads(world, signed_in):
    client = signed_in(world.dana)
    record = _text(client.get(f"/people/{world.jack.pk}/"))
    assert "Ask for early help for Jack" in record
    form = client.get(f"/early-help/people/{world.jack.pk}/new/")
    assert form.status_code == 200
    assert "Erin Cole, Early help team" in form.content.decode()

    # Everything missing is said at once, each beside its field and in the summary.
    refused = _text(client.post(f"/early-help/people/{world.jack.pk}/new/", {}))
    assert "There is a problem" in refused
    assert "Say what the family needs help with" in refused
    assert "Name the lead professional: early help cannot open without one" in refused
    assert not Episode.objects.exists()

    response = client.post(
        f"/early-help/people/{world.jack.pk}/new/", {"reason": REASON, "lead": world.erin.pk}
    )
    episode = Episode.objects.get()
    assert response.status_code == 302 and response.url == f"/early-help/{episode.pk}/"
    page = _text(client.get(response.url, follow=True))
    assert "Erin Cole has been asked to lead it. It opens when they accept." in page
    assert "Waiting for its lead" in page
    assert "Not yet recorded: the lead professional records it when they accept" in page
    assert "Ask for early help for Jack" not in _text(client.get(f"/people/{world.jack.pk}/"))

    client = signed_in(world.erin)
    home = _text(client.get("/"))
    assert "Early help: asked to lead" in home and "1 waiting for your answer" in home
    assert "Jack Taylor" in home and "Asked by Dana Whyte" in home
    worklist = _text(client.get("/early-help/"))
    assert "Asked to lead (1)" in worklist and "Jack Taylor" in worklist
    assert AuditEvent.objects.filter(
        actor=world.erin, action="view_list", detail__list="early help"
    ).exists()
    episode_page = _text(client.get(f"/early-help/{episode.pk}/"))
    assert "You are asked to lead this early help." in episode_page
    assert REASON in episode_page
    answer = _text(client.get(f"/early-help/{episode.pk}/answer/"))
    assert "Will you lead early help for Jack?" in answer and "Asked by Dana Whyte" in answer
    # Accepting without his mother's agreement is refused, field by field.
    refused = _text(client.post(f"/early-help/{episode.pk}/answer/", {"answer": "accept"}))
    assert "Enter the date the family agreed to early help" in refused
    done = client.post(f"/early-help/{episode.pk}/answer/", {"answer": "accept", **AGREED})
    assert done.status_code == 302
    assert "Early help: asked to lead" not in _text(client.get("/"))
    episode.refresh_from_db()
    assert episode.state == EpisodeState.OPEN
    assert "Early help you lead (1)" in _text(client.get("/early-help/"))

    client = signed_in(world.dana)
    record = _text(client.get(f"/people/{world.jack.pk}/"))
    assert "Early help : led by Erin Cole, Early help team" in record


def test_erin_declines_and_dana_asks_priya(world, signed_in):
    client = signed_in(world.dana)
    client.post(
        f"/early-help/people/{world.jack.pk}/new/", {"reason": REASON, "lead": world.erin.pk}
    )
    episode = Episode.objects.get()
    client = signed_in(world.erin)
    refused = _text(client.post(f"/early-help/{episode.pk}/answer/", {"answer": "decline"}))
    assert "Say why you cannot lead, in a sentence" in refused
    client.post(
        f"/early-help/{episode.pk}/answer/",
        {"answer": "decline", "decline_reason": "Our team is full until January."},
    )
    # Erin no longer has anything to answer.
    assert client.get(f"/early-help/{episode.pk}/answer/").status_code == 404

    client = signed_in(world.dana)
    page = _text(client.get(f"/early-help/{episode.pk}/"))
    assert "Declined: Our team is full until January." in page
    assert "Ask someone else to lead" in page
    client.post(f"/early-help/{episode.pk}/lead/", {"lead": world.priya.pk})
    client = signed_in(world.priya)
    client.post(f"/early-help/{episode.pk}/answer/", {"answer": "accept", **AGREED})
    lead = lead_professional(world.jack)
    assert lead is not None and lead.practitioner == world.priya


def test_erin_hands_over_to_priya_from_the_episode_page(world, signed_in):
    client = signed_in(world.erin)
    client.post(
        f"/early-help/people/{world.jack.pk}/new/",
        {"reason": REASON, "lead": world.erin.pk, **AGREED},
    )
    episode = Episode.objects.get()
    assert episode.state == EpisodeState.OPEN
    page = _text(client.get(f"/early-help/{episode.pk}/"))
    assert "Hand over the lead" in page
    offer = _text(client.get(f"/early-help/{episode.pk}/lead/"))
    assert "Erin Cole leads until the practitioner you name accepts" in offer
    done = client.post(f"/early-help/{episode.pk}/lead/", {"lead": world.priya.pk}, follow=True)
    assert "Priya Shah has been asked to lead. You lead until they accept." in _text(done)
    client = signed_in(world.priya)
    client.post(f"/early-help/{episode.pk}/answer/", {"answer": "accept"})
    roles = dict(episode.leads.values_list("practitioner__username", "state"))
    assert roles == {"erin": LeadState.ENDED, "priya": LeadState.ACCEPTED}


def test_someone_with_no_reason_to_see_the_episode_gets_page_not_found(world, signed_in):
    client = signed_in(world.erin)
    client.post(
        f"/early-help/people/{world.jack.pk}/new/",
        {"reason": REASON, "lead": world.erin.pk, **AGREED},
    )
    episode = Episode.objects.get()
    client = signed_in(world.tom)
    assert client.get(f"/early-help/{episode.pk}/").status_code == 404
    assert client.get(f"/early-help/{episode.pk}/lead/").status_code == 404
    assert client.post(f"/early-help/{episode.pk}/answer/", {"answer": "accept"}).status_code == 404
    # Erin's looks are audited, one entry each.
    looks = AuditEvent.objects.filter(actor=world.erin, action="view", person_id=world.jack.pk)
    assert looks.count() == 0
    signed_in(world.erin).get(f"/early-help/{episode.pk}/")
    assert looks.count() == 1


def test_analysts_have_no_early_help_worklist(world, signed_in):
    client = signed_in(world.ana)
    assert client.get("/early-help/").status_code == 403


def test_the_early_help_manager_sees_every_episode_waiting_for_a_lead(world, signed_in):
    ella = practitioner_make(
        "ella", "Ella", "Stone", world.early_help, Role.EARLY_HELP_PRACTITIONER, is_manager=True
    )
    signed_in(world.dana).post(
        f"/early-help/people/{world.jack.pk}/new/", {"reason": REASON, "lead": world.priya.pk}
    )
    client = signed_in(ella)
    home = _text(client.get("/"))
    assert "Early help waiting for a lead" in home
    assert "1 waiting for a lead professional" in home and "Jack Taylor" in home
    worklist = _text(client.get("/early-help/"))
    assert "Waiting for a lead in the borough (1)" in worklist
    assert "working days left" in worklist or "working day left" in worklist
    episode = Episode.objects.get()
    # The manager brokers: asks Erin instead of Priya.
    assert "Ask someone else to lead" in _text(client.get(f"/early-help/{episode.pk}/"))
    client.post(f"/early-help/{episode.pk}/lead/", {"lead": world.erin.pk})
    assert dict(episode.leads.values_list("practitioner__username", "state")) == {
        "priya": LeadState.WITHDRAWN,
        "erin": LeadState.OFFERED,
    }


def test_erin_closes_and_a_contact_within_a_year_shows_the_mash_why(world, signed_in):
    from tellonce.mash.tests.test_deadlines import contact_about

    client = signed_in(world.erin)
    client.post(
        f"/early-help/people/{world.jack.pk}/new/",
        {"reason": REASON, "lead": world.erin.pk, **AGREED},
    )
    episode = Episode.objects.get()
    assert "Close early help" in _text(client.get(f"/early-help/{episode.pk}/"))
    refused = _text(client.post(f"/early-help/{episode.pk}/close/", {}))
    assert "Choose why early help is closing" in refused
    done = client.post(
        f"/early-help/{episode.pk}/close/",
        {
            "closure": "needs_met",
            "close_reason": "Routines settled and Jack is on time; mum knows the family hub.",
        },
        follow=True,
    )
    page = _text(done)
    assert "Early help closed." in page
    assert "the family's needs were met" in page and "Close early help" not in page
    # Dana cannot close what Erin leads, nor now anyone.
    assert signed_in(world.dana).get(f"/early-help/{episode.pk}/close/").status_code == 403

    case = contact_about(world, world.jack)
    banner = _text(signed_in(world.sam).get(f"/mash/cases/{case.pk}/"))
    assert "After early help" in banner
    assert "early help closed on" in banner and "the family's needs were met" in banner
    assert "Routines settled and Jack is on time" in banner
