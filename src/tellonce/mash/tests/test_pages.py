"""The MASH front door, as the people using it see it: Dana tells the MASH about Jack
from his page; Sam screens the contact and asks partners; Tom answers from his team's
inbox; Sam proposes a decision that Maria signs off; a strategy discussion invites the
school and Lily's health visitor; the daily meeting's minutes reach Jack's chronology.
Olly, a police officer with no part in the MASH, sees none of it."""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tellonce.alerts.models import Alert, AlertKind
from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.mash import services
from tellonce.mash.models import (
    Channel as ContactChannel,
)
from tellonce.mash.models import (
    ClosureReason,
    InformationRequest,
    MashCase,
    Outcome,
    State,
    StrategyDiscussion,
)
from tellonce.mash.services import ActionDetails, ChildDetails, ContactDetails
from tellonce.testing.browser import browser_sign_in

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)

CONCERN = (
    "Jack came to school with a bruise on his cheek and said his mum's boyfriend pushed"
    " him into a door last night. He was quiet and hungry all morning."
)


def _form(**changes: str) -> dict[str, str]:
    """What Dana types about Jack (chosen from his record)."""
    data = {
        "source": "2A",
        "referrer_name": "Dana Whyte",
        "referrer_role": "Designated safeguarding lead",
        "referrer_phone": "020 7946 1234",
        "referrer_email": "",
        "concern": CONCERN,
        "help_so_far": "Spoke with Jack with the class teacher; gave breakfast; logged it.",
        "child_needs": "Jack needs to be safe at home, fed, and his speech delay followed up.",
        "child_voice": "Jack said 'I don't want to go home when he is there'.",
        "household": "Mum Kerry, baby sister Lily, and mum's boyfriend (name not known).",
        "family_knows": "no",
        "consent": "not_sought",
        "sharing_reason": "Asking mum first could put Jack at risk of further harm tonight.",
    }
    data.update(changes)
    return data


def _contact(world, person, user=None, **changes) -> MashCase:
    fields = dict(
        children=[ChildDetails(person_id=person.pk)],
        source="2A",
        referrer_name="Dana Whyte",
        referrer_role="Designated safeguarding lead",
        referrer_phone="020 7946 1234",
        referrer_email="",
        concern=CONCERN,
        help_so_far="Spoke with Jack with the class teacher; gave breakfast; logged it.",
        child_needs="Jack needs to be safe at home, fed, and his speech delay followed up.",
        child_voice="Jack said 'I don't want to go home when he is there'.",
        household="Mum Kerry, baby sister Lily, and mum's boyfriend (name not known).",
        family_knows=False,
        consent="not_sought",
        sharing_reason="Asking mum first could put Jack at risk of further harm tonight.",
    )
    received_on = changes.pop("received_on", None)
    fields.update(changes)
    contact = services.contact_make(
        user=user or world.dana,
        details=ContactDetails(**fields),
        channel=ContactChannel.WEB,
        via=WEB,
        received_on=received_on,
    )
    return MashCase.objects.get(contact_children__contact=contact)


def _screened(world, person=None) -> MashCase:
    case = _contact(world, person or world.jack)
    services.case_screen(
        user=world.sam, case=case, rag="amber", reason="Injury and a disclosure", via=WEB
    )
    return case


def _proposed(world, outcome=Outcome.STRATEGY_DISCUSSION, person=None) -> MashCase:
    case = _screened(world, person)
    services.decision_propose(
        user=world.sam,
        case=case,
        outcome=outcome,
        reason="Disclosure of physical harm with domestic abuse history at the address.",
        actions=[ActionDetails("Visit Jack at school today", world.sam, timezone.localdate())],
        via=WEB,
    )
    return case


def _decided(world, outcome=Outcome.STRATEGY_DISCUSSION, person=None) -> MashCase:
    case = _proposed(world, outcome, person)
    services.decision_sign_off(user=world.maria, case=case, agree=True, note="", via=WEB)
    case.refresh_from_db()
    return case


def _text(response) -> str:
    """The page as one line, entities read (so "Jack's" is as a user sees it)."""
    return " ".join(html.unescape(response.content.decode()).split())


# ----- telling the MASH -------------------------------------------------------------


def test_dana_tells_the_mash_about_jack_from_his_record(world, signed_in):
    client = signed_in(world.dana)
    record = _text(client.get(f"/people/{world.jack.pk}/"))
    assert f'href="/mash/contacts/new/?person={world.jack.pk}"' in record
    assert "Tell the MASH about Jack" in record

    page = client.get(f"/mash/contacts/new/?person={world.jack.pk}")
    text = _text(page)
    assert page.status_code == 200
    assert "Tell the MASH about Jack" in text
    assert "Jack Taylor" in text
    assert f"{world.jack.date_of_birth:%-d %B %Y}" in text
    assert '<option value="2A" selected>Schools</option>' in text
    assert 'value="Dana Whyte"' in text

    sent = client.post("/mash/contacts/new/", {**_form(), "children-0-person": str(world.jack.pk)})
    case = MashCase.objects.get(person=world.jack)
    assert sent.status_code == 302
    assert sent["Location"] == f"/mash/contacts/{case.contact_id}/sent/"
    confirmation = _text(client.get(sent["Location"]))
    assert "Contact sent to the MASH" in confirmation
    assert "govuk-panel--confirmation" in confirmation
    assert "will decide what happens for <strong>Jack Taylor</strong> by" in confirmation
    assert f"{timezone.localtime(case.decision_due):%A %-d %B %Y}" in confirmation


def test_a_vague_contact_is_sent_back_naming_every_problem(world, signed_in):
    client = signed_in(world.dana)
    refused = client.post(
        "/mash/contacts/new/",
        _form(
            concern="concerns",
            help_so_far="n/a",
            child_needs="see above",
            child_voice="",
            family_knows="",
            sharing_reason="",
            **{
                "children-0-given_name": "Sky",
                "children-0-date_of_birth_day": "31",
                "children-0-date_of_birth_month": "2",
            },
            **{"children-0-date_of_birth_year": "2019"},
        ),
    )
    text = _text(refused)
    assert refused.status_code == 200
    assert "<title>Error: " in text
    assert "There is a problem" in text
    for problem in (
        "The child's date of birth must be a real date",
        "Enter the child's last name",
        "Describe the concern in your own words",
        "Say what has already been done to help",
        "Describe the child's own needs",
        "Say what the child has said or how they seem",
        "Say whether the family knows about this contact",
        "Without the family's agreement, say why you are sharing",
    ):
        assert problem in text, problem
    assert 'href="#id_children-0-family_name"' in text
    assert 'href="#id_children-0-date_of_birth_day"' in text
    assert 'href="#id_family_knows"' in text
    assert MashCase.objects.count() == 0


def test_a_second_childs_problems_show_on_that_childs_boxes(world, signed_in):
    client = signed_in(world.dana)
    refused = client.post(
        "/mash/contacts/new/",
        {
            **_form(),
            "children-0-person": str(world.jack.pk),
            "children-1-given_name": "Mia",
        },
    )
    text = _text(refused)
    assert "Enter the child's last name" in text
    assert 'href="#id_children-1-family_name"' in text
    # The block with the problem is open, so the link lands on a visible box.
    assert '<details class="govuk-details" open>' in text
    assert MashCase.objects.count() == 0


# ----- the queue --------------------------------------------------------------------


def test_sam_sees_jacks_case_with_its_time_left_and_amirs_overdue(world, signed_in):
    jack = _contact(world, world.jack)
    amir = _contact(world, world.amir, received_on=timezone.now() - timedelta(days=10))
    client = signed_in(world.sam)
    text = _text(client.get("/mash/"))
    assert "2 open cases, 1 overdue" in text
    assert f'href="/mash/cases/{jack.pk}/">Jack Taylor</a>' in text
    assert f'href="/mash/cases/{amir.pk}/">Amir Hassan</a>' in text
    assert "left" in text
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong> by ' in text
    assert "Not rated" in text
    assert 'class="govuk-service-navigation__link" href="/mash/" aria-current="page">MASH' in text

    overdue_only = _text(client.get("/mash/?state=open&overdue=on"))
    assert "1 open case, 1 overdue" in overdue_only
    assert "Amir Hassan" in overdue_only and "Jack Taylor" not in overdue_only


def test_olly_and_dana_cannot_see_the_mash_queue_or_a_case(world, signed_in, client):
    case = _contact(world, world.jack)
    for outsider in (world.dana, world.olly):
        client.logout()
        signed_in(outsider)
        assert client.get("/mash/").status_code == 403
        assert client.get(f"/mash/cases/{case.pk}/").status_code in (403, 404)
        assert client.get(f"/mash/cases/{case.pk}/screen/").status_code in (403, 404)
        assert client.get("/mash/meeting/").status_code == 403
        assert b'href="/mash/"' not in client.get("/").content
    # Olly did not make the contact: its confirmation is not his to see.
    assert client.get(f"/mash/contacts/{case.contact_id}/sent/").status_code == 404


# ----- the case ---------------------------------------------------------------------


def test_sam_screens_the_case_and_asks_partners(
    world, signed_in, django_capture_on_commit_callbacks
):
    case = _contact(world, world.jack)
    client = signed_in(world.sam)
    page = _text(client.get(f"/mash/cases/{case.pk}/"))
    assert "Screen this case" in page
    assert "Ask partners for information" not in page  # not until it is rated
    assert "Designated safeguarding lead" in page  # who is involved with Jack
    assert "Priya Shah" in page  # Lily's health visitor, in the household

    refused = _text(client.post(f"/mash/cases/{case.pk}/screen/", {"rag": "", "rag_reason": ""}))
    assert "Choose a rating: red, amber or green" in refused
    assert "Say why you chose this rating" in refused
    screened = client.post(
        f"/mash/cases/{case.pk}/screen/",
        {"rag": "amber", "rag_reason": "Injury and a disclosure of being pushed"},
    )
    assert screened.status_code == 302
    page = _text(client.get(f"/mash/cases/{case.pk}/"))
    assert '<strong class="govuk-tag govuk-tag--orange">Amber</strong>' in page
    assert "Rated amber" in page

    form = _text(client.get(f"/mash/cases/{case.pk}/requests/"))
    assert "Police MASH desk (Northbrook Police)" in form
    assert "Police checks" in form
    assert "Works with Jack (school)" in form
    assert "Works with Lily Taylor, who lives with Jack (health visiting)" in form
    nothing_ticked = _text(
        client.post(f"/mash/cases/{case.pk}/requests/", {"question": "Anything known?"})
    )
    assert "Choose at least one team to ask" in nothing_ticked

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            f"/mash/cases/{case.pk}/requests/",
            {
                "teams": [world.police_mash.pk, world.health_mash.pk],
                "question": "Any police or health history for Jack, Lily and the address?",
            },
        )
    assert sent.status_code == 302
    assert set(InformationRequest.objects.values_list("team", flat=True)) == {
        world.police_mash.pk,
        world.health_mash.pk,
    }
    assert Alert.objects.filter(kind=AlertKind.RFI_RECEIVED, team=world.police_mash).exists()
    page = _text(client.get(f"/mash/cases/{case.pk}/"))
    assert "Information gathering" in page
    assert page.count('<strong class="govuk-tag govuk-tag--grey">Waiting</strong>') == 2


def test_tom_answers_the_mash_from_his_teams_inbox(world, signed_in, client):
    case = _screened(world)
    request = services.rfi_send(
        user=world.sam,
        case=case,
        team=world.police_mash,
        question="Any police history at the address?",
        via=WEB,
    )
    signed_in(world.tom)
    inbox = _text(client.get("/mash/requests/"))
    assert f'href="/mash/requests/{request.pk}/">Jack Taylor</a>' in inbox
    assert "Sam Okafor" in inbox
    assert "left" in inbox
    page = _text(client.get(f"/mash/requests/{request.pk}/"))
    assert "Any police history at the address?" in page
    assert f"{world.jack.date_of_birth:%-d %B %Y}" in page
    assert "Send the answer" in page

    vague = _text(client.post(f"/mash/requests/{request.pk}/", {"answer": "n/a"}))
    assert "Write what your agency knows about the child and family" in vague
    answered = client.post(
        f"/mash/requests/{request.pk}/",
        {"answer": "Two domestic abuse call-outs to the address in October."},
    )
    assert answered.status_code == 302
    assert f'href="/mash/requests/{request.pk}/">Jack Taylor</a>' in _text(
        client.get("/mash/requests/?answered=1")
    )
    assert "No requests are waiting for your team" in _text(client.get("/mash/requests/"))

    client.logout()
    signed_in(world.sam)
    case_page = _text(client.get(f"/mash/cases/{case.pk}/"))
    assert "Two domestic abuse call-outs to the address in October." in case_page
    assert "Tom Price" in case_page

    client.logout()
    signed_in(world.olly)
    assert client.get(f"/mash/requests/{request.pk}/").status_code == 404


def test_sam_is_told_an_action_needs_a_due_date_and_maria_signs_off(world, signed_in, client):
    case = _screened(world)
    signed_in(world.sam)
    decision = {
        "outcome": Outcome.STRATEGY_DISCUSSION,
        "outcome_reason": "Disclosure of physical harm with domestic abuse history at the address.",
        "actions-0-description": "Visit Jack at school today",
        "actions-0-owner": str(world.sam.pk),
    }
    refused = _text(client.post(f"/mash/cases/{case.pk}/decision/", decision))
    assert "Enter the date this action is due: every action needs one" in refused
    assert 'href="#id_actions-0-due_on_day"' in refused
    case.refresh_from_db()
    assert case.state == State.SCREENING

    today = timezone.localdate()
    proposed = client.post(
        f"/mash/cases/{case.pk}/decision/",
        {
            **decision,
            "actions-0-due_on_day": str(today.day),
            "actions-0-due_on_month": str(today.month),
            "actions-0-due_on_year": str(today.year),
        },
    )
    assert proposed.status_code == 302
    case.refresh_from_db()
    assert case.state == State.DECISION
    # Sam cannot sign off his own decision: the page does not offer it to him.
    assert "Sign off or send back" not in _text(client.get(f"/mash/cases/{case.pk}/"))
    assert client.get(f"/mash/cases/{case.pk}/sign-off/").status_code == 403

    client.logout()
    signed_in(world.maria)
    page = _text(client.get(f"/mash/cases/{case.pk}/"))
    assert "Sign off or send back the decision" in page
    back = _text(client.post(f"/mash/cases/{case.pk}/sign-off/", {"agree": "no", "note": ""}))
    assert "Say why the decision is sent back and what is needed" in back
    signed = client.post(f"/mash/cases/{case.pk}/sign-off/", {"agree": "yes", "note": ""})
    assert signed.status_code == 302
    case.refresh_from_db()
    assert case.state == State.OUTCOME and case.signed_off_by == world.maria
    page = _text(client.get(f"/mash/cases/{case.pk}/"))
    assert "Signed off: Strategy discussion (section 47)" in page
    assert "Visit Jack at school today" in page


def test_the_strategy_discussion_invites_the_school_and_lilys_health_visitor(
    world, signed_in, django_capture_on_commit_callbacks
):
    case = _decided(world)
    client = signed_in(world.sam)
    assert "Plan the strategy discussion" in _text(client.get(f"/mash/cases/{case.pk}/"))
    form = _text(client.get(f"/mash/cases/{case.pk}/strategy/"))
    assert "Designated safeguarding lead (Oakfield Primary School), Dana Whyte" in form
    assert "Works with Jack (school); made the contact on" in form
    assert "Health visiting (Northbrook Community Health NHS Trust), Priya Shah" in form
    assert "Works with Lily Taylor, who lives with Jack (health visiting)" in form
    assert "Always invited: police" in form
    assert form.count(" checked") >= 5

    everyone = [
        world.mash.pk,
        world.police_mash.pk,
        world.health_mash.pk,
        world.oakfield_dsl.pk,
        world.health_visiting.pk,
    ]
    without_police = [t for t in everyone if t != world.police_mash.pk]
    refused = _text(client.post(f"/mash/cases/{case.pk}/strategy/", {"invitees": without_police}))
    assert "Social care, police and health must always be invited" in refused
    with django_capture_on_commit_callbacks(execute=True):
        planned = client.post(f"/mash/cases/{case.pk}/strategy/", {"invitees": everyone})
    assert planned.status_code == 302
    discussion = StrategyDiscussion.objects.get(case=case)
    assert Alert.objects.filter(kind=AlertKind.STRATEGY_INVITE, team=world.oakfield_dsl).exists()

    held = timezone.localtime() - timedelta(hours=1)
    recorded = client.post(
        f"/mash/strategy/{discussion.pk}/record/",
        {
            "held_on_day": str(held.day),
            "held_on_month": str(held.month),
            "held_on_year": str(held.year),
            "held_on_hour": str(held.hour),
            "held_on_minute": f"{held:%M}",
            "attended": [world.mash.pk, world.police_mash.pk, world.oakfield_dsl.pk],
            "information_shared": "Police: two call-outs. School: the disclosure and the bruise.",
            "outcome": "joint_s47",
            "rationale": "Reasonable cause to suspect significant harm from physical abuse.",
        },
    )
    assert recorded.status_code == 302, _text(recorded)
    page = _text(client.get(f"/mash/cases/{case.pk}/"))
    assert "Joint section 47 enquiry" in page
    assert "Initial child protection conference" in page


def test_a_re_referral_shows_the_earlier_referral_and_how_it_closed(world, signed_in):
    first = _decided(world, outcome=Outcome.CHILD_IN_NEED)
    services.referral_close(
        user=world.sam,
        case=first,
        closure_reason=ClosureReason.RC8,
        note="Assessment found needs met by the family with school support.",
        via=WEB,
    )
    again = _contact(world, world.jack)
    text = _text(signed_in(world.sam).get(f"/mash/cases/{again.pk}/"))
    assert "Re-referral" in text
    assert "RC8 Case closed after assessment, no further action" in text


# ----- the daily meeting ------------------------------------------------------------


def test_the_daily_meeting_puts_its_minutes_on_jacks_chronology(world, signed_in):
    case = _screened(world)
    client = signed_in(world.sam)
    assert "Start today's meeting" in _text(client.get("/mash/meeting/"))
    assert client.post("/mash/meeting/").status_code == 302
    agenda = _text(client.get("/mash/meeting/"))
    assert f'href="/mash/cases/{case.pk}/">Jack Taylor</a>' in agenda
    # The chair need not open the case: the card says what the worry is and who raised it.
    contact = case.contact
    assert "Concern</dt>" in agenda and contact.concern.split()[0] in agenda
    assert f"{contact.referrer_name}" in agenda
    item = case.meeting_items.get()

    refused = _text(
        client.post(
            f"/mash/meeting/items/{item.pk}/",
            {f"item-{item.pk}-minutes": "", f"item-{item.pk}-decisions": ""},
        )
    )
    assert "Write what was discussed about the child" in refused
    assert f'href="#id_item-{item.pk}-minutes"' in refused
    saved = client.post(
        f"/mash/meeting/items/{item.pk}/",
        {
            f"item-{item.pk}-minutes": "Police shared two call-outs; school worried about hunger.",
            f"item-{item.pk}-decisions": "Sam to visit Jack at school today.",
        },
    )
    assert saved.status_code == 302
    closed = client.post(
        f"/mash/meeting/{item.meeting_id}/close/",
        {"attendees": "Sam Okafor (MASH), Tom Price (police), Hannah Reid (health)"},
    )
    assert closed.status_code == 302
    minutes = ChronologyEvent.objects.get(person=world.jack, kind=EventKind.MEETING)
    assert "Police shared two call-outs" in minutes.summary
    assert "Tom Price (police)" in minutes.summary
    assert "Sam to visit Jack at school today." in _text(client.get(f"/mash/cases/{case.pk}/"))


# ----- around the service -----------------------------------------------------------


def test_the_record_and_the_navigation_show_the_mash_to_those_in_it(world, signed_in, client):
    case = _contact(world, world.jack)
    signed_in(world.sam)
    record = _text(client.get(f"/people/{world.jack.pk}/"))
    assert '<h2 class="govuk-heading-m">MASH</h2>' in record
    assert f'href="/mash/cases/{case.pk}/"' in record
    assert "Requests for information" in record  # in the navigation

    client.logout()
    signed_in(world.dana)
    record = _text(client.get(f"/people/{world.jack.pk}/"))
    assert '<h2 class="govuk-heading-m">MASH</h2>' not in record
    assert 'href="/mash/"' not in record

    client.logout()
    signed_in(world.olly)
    flag = _text(client.get(f"/people/{world.jack.pk}/flag/"))
    assert f'href="/mash/contacts/new/?person={world.jack.pk}"' in flag
    assert client.get("/mash/requests/").status_code == 200

    client.logout()
    signed_in(world.ana)
    assert client.get("/mash/contacts/new/").status_code == 403
    assert client.get("/mash/requests/").status_code == 403


# ----- in a browser -----------------------------------------------------------------

SCREENSHOTS = Path("test-results")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_mash_pages_meet_wcag_2_2_aa_in_a_browser(live_server):
    """Every MASH page, and its error states, checked with axe-core; screenshots of each
    land in test-results/ for a person to look at."""
    from axe_playwright_python.sync_playwright import Axe

    from tellonce.testing.browser import chromium_page
    from tellonce.testing.world import build_world

    world = build_world()
    jack = _screened(world)
    services.rfi_send(
        user=world.sam,
        case=jack,
        team=world.police_mash,
        question="Any police history at the address?",
        via=WEB,
    )
    _contact(world, world.amir, received_on=timezone.now() - timedelta(days=10))
    lily = _proposed(world, person=world.lily)
    ruby = _decided(world, person=world.ruby)
    base = live_server.url
    axe = Axe()
    found: dict[str, list[str]] = {}
    SCREENSHOTS.mkdir(exist_ok=True)

    def look(name: str, page) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        found[name] = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])} elements)"
            for v in results.response["violations"]
        ]
        page.screenshot(path=str(SCREENSHOTS / f"mash-{name}.png"), full_page=True)

    with chromium_page() as page:
        browser_sign_in(page, base, world.dana)
        page.goto(f"{base}/mash/contacts/new/?person={world.jack.pk}")
        look("contact", page)
        page.get_by_role("button", name="Send to the MASH").click()
        look("contact-errors", page)
        page.get_by_label("What worries you about the child?").fill(CONCERN)
        page.get_by_label("What has already been done to help").fill(
            "Spoke with Jack with the class teacher; gave breakfast; logged it."
        )
        page.get_by_label("The child's own needs").fill(
            "Jack needs to be safe at home, fed, and his speech delay followed up."
        )
        page.get_by_label("What the child has said, or how they seem").fill(
            "Jack said 'I don't want to go home when he is there'."
        )
        page.get_by_label("Who the child lives with").fill("Mum Kerry and baby sister Lily.")
        page.get_by_label("No", exact=True).check()
        page.get_by_label("No: the family was not asked").check()
        page.get_by_label("Why you are sharing without the family's agreement").fill(
            "Asking mum first could put Jack at risk of further harm tonight."
        )
        page.get_by_role("button", name="Send to the MASH").click()
        expect(page.get_by_role("heading", name="Contact sent to the MASH")).to_be_visible()
        look("contact-sent", page)

        browser_sign_in(page, base, world.sam)
        page.goto(f"{base}/mash/")
        look("queue", page)
        page.get_by_role("link", name="Jack Taylor").click()
        look("case", page)
        page.goto(f"{base}/mash/cases/{jack.pk}/requests/")
        look("requests-send", page)
        page.goto(f"{base}/mash/cases/{jack.pk}/decision/")
        page.get_by_label("What is to be done").first.fill("Visit Jack at school today")
        page.get_by_role("button", name="Propose the decision").click()
        look("decision-errors", page)
        page.goto(f"{base}/mash/meeting/")
        page.get_by_role("button", name="Start today's meeting").click()
        look("meeting", page)
        page.goto(f"{base}/mash/cases/{ruby.pk}/strategy/")
        look("strategy-plan", page)
        page.get_by_role("button", name="Send the invitations").click()
        page.get_by_role("link", name="Record the strategy discussion").click()
        page.get_by_role("button", name="Record the discussion").click()
        look("strategy-record-errors", page)

        browser_sign_in(page, base, world.maria)
        page.goto(f"{base}/mash/cases/{lily.pk}/sign-off/")
        look("sign-off", page)

        browser_sign_in(page, base, world.tom)
        page.goto(f"{base}/mash/requests/")
        look("inbox", page)
        page.get_by_role("link", name="Jack Taylor").click()
        page.get_by_role("button", name="Send the answer").click()
        look("request-errors", page)
    problems = {name: v for name, v in found.items() if v}
    assert not problems, problems


def test_a_decision_sent_back_is_audited(world, signed_in):
    from tellonce.audit.models import AuditEvent

    case = _proposed(world)
    signed_in(world.maria).post(
        f"/mash/cases/{case.pk}/sign-off/",
        {"agree": "no", "note": "Ask health about Lily's missed checks before deciding."},
    )
    case.refresh_from_db()
    assert case.state == State.INFORMATION_GATHERING
    assert AuditEvent.objects.filter(
        actor=world.maria, detail__change="decision sent back"
    ).exists()
