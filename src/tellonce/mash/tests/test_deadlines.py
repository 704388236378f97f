"""Every MASH deadline is said the same way, on every page that shows one: Jack's case,
received this morning, has working time left; Amir's, received ten days ago, is
"Overdue by …" beside a red tag, on the queue, the case, the daily meeting; so are
their requests for information, on Tom's inbox and the request's page, and their
actions. Tom's answered requests come 25 a page, his waiting ones first."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.core.workdays import UK
from tellonce.mash import services
from tellonce.mash.models import CaseAction, InformationRequest, MashCase, Outcome
from tellonce.mash.models import Channel as ContactChannel
from tellonce.mash.services import ActionDetails, ChildDetails, ContactDetails

pytestmark = pytest.mark.django_db

OVERDUE = '<strong class="govuk-tag govuk-tag--red">Overdue</strong> by '
#: Late by working days: how many depends on the bank holidays between.
DAYS_LATE = re.compile(re.escape(OVERDUE) + r"\d+ working days")
LEFT = re.compile(
    r'<span class="tellonce-deadline">\d+ (working days?|working hours?|minutes?) left'
)


WEB = Via(Channel.WEB)


def contact_about(world, person, received_on=None) -> MashCase:
    """Dana tells the MASH about `person` (at `received_on`, or now): the case made."""
    contact = services.contact_make(
        user=world.dana,
        details=ContactDetails(
            children=[ChildDetails(person_id=person.pk)],
            source="2A",
            referrer_name="Dana Whyte",
            referrer_role="Designated safeguarding lead",
            referrer_phone="020 7946 1234",
            referrer_email="dana.whyte@oakfield-primary.example",
            concern=f"{person.given_name} came to school with a bruise on the cheek and said"
            " mum's boyfriend pushed them into a door last night.",
            help_so_far="Spoke with them with the class teacher; gave breakfast; logged it.",
            child_needs="To be safe at home, fed, and a speech delay followed up.",
            child_voice="Said 'I don't want to go home when he is there'.",
            household="Mum, a baby sister, and mum's boyfriend (name not known).",
            family_knows=False,
            consent="not_sought",
            sharing_reason="Asking mum first could put the child at risk of harm tonight.",
        ),
        channel=ContactChannel.WEB,
        via=WEB,
        received_on=received_on,
    )
    return MashCase.objects.get(contact_children__contact=contact)


def _text(response) -> str:
    """The page as one line, entities read, as a user reads it."""
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


def _screen(world, case):
    services.case_screen(
        user=world.sam, case=case, rag="amber", reason="Injury and a disclosure", via=WEB
    )
    return case


def _ask(world, case, team):
    return services.rfi_send(
        user=world.sam, case=case, team=team, question="Any police history at the address?", via=WEB
    )


@pytest.fixture
def cases(world):
    """Jack's case from this morning and Amir's from ten days ago, each screened, each
    with a request to the police desk and an action for Sam."""
    # A Wednesday late morning, so that "ten days ago" and "three days ago" are late by
    # the same working time whatever day the suite runs.
    with time_machine.travel(datetime(2026, 12, 2, 11, 0, tzinfo=UK), tick=False):
        jack = _screen(world, contact_about(world, world.jack))
        amir = _screen(
            world,
            contact_about(world, world.amir, received_on=timezone.now() - timedelta(days=10)),
        )
        jacks_request = _ask(world, jack, world.police_mash)
        amirs_request = _ask(world, amir, world.police_mash)
        InformationRequest.objects.filter(pk=amirs_request.pk).update(
            due_on=timezone.now() - timedelta(days=3)
        )
        today = timezone.localdate()
        for case, due in ((jack, today + timedelta(days=2)), (amir, today)):
            services.action_add(
                user=world.sam,
                case=case,
                description=f"Visit {case.person.given_name} at school",
                owner=world.sam,
                due_on=due,
                via=WEB,
            )
        CaseAction.objects.filter(case=amir).update(due_on=today - timedelta(days=2))
        yield jack, amir, jacks_request, amirs_request


def _row(page: str, marker: str) -> str:
    """The table row (or card) of the page holding `marker`."""
    rows = re.findall(r'<tr class="govuk-table__row">.*?</tr>', page)
    (row,) = [r for r in rows if marker in r]
    return row


def test_the_queue_says_amirs_decision_is_late_and_jacks_has_time(world, cases, signed_in):
    jack, amir, *_ = cases
    page = _text(signed_in(world.sam).get("/mash/"))
    assert DAYS_LATE.search(_row(page, f"/mash/cases/{amir.pk}/"))
    assert LEFT.search(_row(page, f"/mash/cases/{jack.pk}/"))
    assert "Overdue" not in _row(page, f"/mash/cases/{jack.pk}/")


def test_a_decided_case_says_decided_not_a_time(world, signed_in):
    case = _screen(world, contact_about(world, world.jack))
    services.decision_propose(
        user=world.sam,
        case=case,
        outcome=Outcome.STRATEGY_DISCUSSION,
        reason="Disclosure of physical harm with domestic abuse history at the address.",
        actions=[ActionDetails("Visit Jack at school today", world.sam, timezone.localdate())],
        via=WEB,
    )
    services.decision_sign_off(user=world.maria, case=case, agree=True, note="", via=WEB)
    page = _text(signed_in(world.sam).get("/mash/?state=all"))
    row = _row(page, f"/mash/cases/{case.pk}/")
    assert "Decided" in row and "Overdue" not in row and "left" not in row


def test_the_case_page_says_the_decision_the_requests_and_the_actions_deadlines(
    world, cases, signed_in
):
    jack, amir, *_ = cases
    sam = signed_in(world.sam)
    late = _text(sam.get(f"/mash/cases/{amir.pk}/"))
    assert DAYS_LATE.search(late)  # the decision
    assert DAYS_LATE.search(_row(late, "Any police history"))  # the request
    assert OVERDUE + "2 days" in _row(late, "Visit Amir at school")  # the action

    on_time = _text(sam.get(f"/mash/cases/{jack.pk}/"))
    assert "Overdue" not in on_time
    assert LEFT.search(_row(on_time, "Any police history"))
    assert '<span class="tellonce-deadline">2 days left</span>' in _row(
        on_time, "Visit Jack at school"
    )


def test_the_daily_meeting_says_each_cases_time_left(world, cases, signed_in):
    jack, amir, *_ = cases
    sam = signed_in(world.sam)
    assert sam.post("/mash/meeting/").status_code == 302
    page = _text(sam.get("/mash/meeting/"))
    cards = re.findall(r'<div class="govuk-summary-card" id=.*?</dl>', page)
    (amirs,) = [c for c in cards if f"/mash/cases/{amir.pk}/" in c]
    (jacks,) = [c for c in cards if f"/mash/cases/{jack.pk}/" in c]
    assert DAYS_LATE.search(amirs)
    assert LEFT.search(jacks) and "Overdue" not in jacks


def test_toms_inbox_and_the_requests_pages_say_which_is_late(world, cases, signed_in):
    _, _, jacks, amirs = cases
    tom = signed_in(world.tom)
    inbox = _text(tom.get("/mash/requests/"))
    assert DAYS_LATE.search(_row(inbox, f"/mash/requests/{amirs.pk}/"))
    assert LEFT.search(_row(inbox, f"/mash/requests/{jacks.pk}/"))
    assert inbox.index(f"/mash/requests/{amirs.pk}/") < inbox.index(f"/mash/requests/{jacks.pk}/")

    assert DAYS_LATE.search(_text(tom.get(f"/mash/requests/{amirs.pk}/")))
    on_time = _text(tom.get(f"/mash/requests/{jacks.pk}/"))
    assert LEFT.search(on_time) and "Overdue" not in on_time


def test_sams_actions_say_which_is_late(world, cases, signed_in):
    page = _text(signed_in(world.sam).get("/mash/actions/"))
    assert OVERDUE + "2 days" in _row(page, "Visit Amir at school")
    jacks = _row(page, "Visit Jack at school")
    assert "2 days left" in jacks and "Overdue" not in jacks


def test_toms_answered_requests_come_25_a_page(world, signed_in):
    case = _screen(world, contact_about(world, world.jack))
    for _ in range(27):
        asked = _ask(world, case, world.police_mash)
        InformationRequest.objects.filter(pk=asked.pk).update(
            answered_on=timezone.now(), answered_by=world.tom, answer="No police history."
        )
    waiting = _ask(world, case, world.police_mash)
    tom = signed_in(world.tom)

    inbox = _text(tom.get("/mash/requests/"))
    assert "Waiting for an answer (1)" in inbox and f"/mash/requests/{waiting.pk}/" in inbox
    answered = _text(tom.get("/mash/requests/?answered=1"))
    assert "Answered (27)" in answered and "Showing 1 to 25 of 27" in answered
    assert 'href="?answered=1&page=2" rel="next"' in answered
    assert f"/mash/requests/{waiting.pk}/" not in answered
    last = _text(tom.get("/mash/requests/?answered=1&page=2"))
    assert "Showing 26 to 27 of 27" in last
    for nonsense in ("0", "abc", "9999"):
        assert tom.get(f"/mash/requests/?answered=1&page={nonsense}").status_code == 200
    assert "Showing 26 to 27 of 27" in _text(tom.get("/mash/requests/?answered=1&page=9999"))
