"""End to end in a real browser: Dana, the safeguarding lead at Jack's school, tells the
MASH about him; Sam screens the contact and asks the police and health; Tom and Hannah
answer from their inboxes; the daily meeting minutes Jack; Sam proposes a strategy
discussion, Maria signs it off; the strategy discussion invites the school and Lily's
health visitor, and decides on a joint s47 enquiry. Jack's record and chronology show
all of it afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.mash.models import InformationRequest, MashCase, State, StrategyDiscussion
from tellonce.testing.browser import browser_sign_in, chromium_page
from tellonce.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path("test-results")


def _case_of(page, world) -> None:
    page.get_by_role("link", name="MASH", exact=True).click()
    page.get_by_role("link", name="Jack Taylor").click()


def _answer(page, base, user, text: str) -> None:
    browser_sign_in(page, base, user)
    page.get_by_role("link", name="Requests for information").first.click()
    page.get_by_role("link", name="Jack Taylor").click()
    page.get_by_label("Your answer").fill(text)
    page.get_by_role("button", name="Send the answer").click()


def test_a_school_contact_about_jack_goes_all_the_way_to_a_strategy_discussion(live_server):
    world = build_world()
    base = live_server.url
    today = timezone.localdate()
    SCREENSHOTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        # Dana, at Jack's school, tells the MASH from his record.
        browser_sign_in(page, base, world.dana)
        page.goto(f"{base}/people/{world.jack.pk}/")
        page.get_by_role("link", name="Tell the MASH about Jack").first.click()
        page.get_by_label("What worries you about the child?").fill(
            "Jack came in with a bruise on his cheek and said his mum's boyfriend pushed him"
            " into a door last night. He was quiet and hungry all morning."
        )
        page.get_by_label("What has already been done to help").fill(
            "Spoke with Jack with his class teacher; gave him breakfast; logged it."
        )
        page.get_by_label("The child's own needs").fill(
            "To be safe at home and fed; his speech delay needs following up."
        )
        page.get_by_label("What the child has said, or how they seem").fill(
            "Jack said 'I don't want to go home when he is there'."
        )
        page.get_by_label("Who the child lives with").fill(
            "Mum Kerry, baby sister Lily, and mum's boyfriend."
        )
        page.get_by_label("No", exact=True).check()
        page.get_by_label("No: the family was not asked").check()
        page.get_by_label("Why you are sharing without the family's agreement").fill(
            "Asking mum first could put Jack at risk of further harm tonight."
        )
        page.get_by_role("button", name="Send to the MASH").click()
        expect(page.get_by_role("heading", name="Contact sent to the MASH")).to_be_visible()
        case = MashCase.objects.get(person=world.jack)

        # Sam screens it and asks the police and health.
        browser_sign_in(page, base, world.sam)
        _case_of(page, world)
        expect(page.get_by_text("Jack came in with a bruise on his cheek")).to_be_visible()
        page.get_by_role("link", name="Screen this case").click()
        page.get_by_label("Amber").check()
        page.get_by_label("Why this rating?").fill("A disclosure of physical harm at home")
        page.get_by_role("button", name="Save the rating").click()
        page.get_by_role("link", name="Ask partners for information").click()
        page.get_by_label("Police MASH desk (Northbrook Police)").check()
        page.get_by_label("Health MASH team (Northbrook Community Health NHS Trust)").check()
        page.get_by_label("What do you need to know?").fill(
            "What do you know about Jack, his mother Kerry and her partner?"
        )
        page.get_by_role("button", name="Send the requests").click()
        assert InformationRequest.objects.filter(case=case).count() == 2

        # Tom (police) and Hannah (health) answer from their teams' inboxes.
        _answer(page, base, world.tom, "Two domestic abuse call-outs to the address in October.")
        _answer(page, base, world.hannah, "Jack missed his last two dental checks; Lily is well.")
        assert not InformationRequest.objects.filter(case=case, answered_on=None).exists()

        # The daily meeting minutes Jack.
        browser_sign_in(page, base, world.sam)
        page.get_by_role("link", name="MASH", exact=True).click()
        page.get_by_role("link", name="Today's MASH meeting").click()
        page.get_by_role("button", name="Start today's meeting").click()
        page.get_by_label("What was discussed").fill(
            "Police: two call-outs. Health: missed dental checks. School: disclosure."
        )
        page.get_by_label("What was decided", exact=True).fill("Strategy discussion today.")
        page.get_by_role("button", name="Save the minutes").click()
        page.get_by_label("Who attended").fill(
            "Sam Okafor (MASH), Tom Price (police), Hannah Reid (health)"
        )
        page.get_by_role("button", name="Close the meeting").click()

        # Sam proposes a strategy discussion with an action; Maria signs it off.
        _case_of(page, world)
        page.get_by_role("link", name="Propose a decision").click()
        page.get_by_label("Strategy discussion (section 47)").check()
        page.get_by_label("Why this outcome?").fill(
            "A disclosure of physical harm and police history of domestic abuse at home."
        )
        page.get_by_label("What is to be done").first.fill("See Jack at school today")
        page.get_by_label("Who will do it").first.select_option(label="Sam Okafor, Northbrook MASH")
        page.get_by_label("Day").first.fill(str(today.day))
        page.get_by_label("Month").first.fill(str(today.month))
        page.get_by_label("Year").first.fill(str(today.year))
        page.get_by_role("button", name="Propose the decision").click()
        browser_sign_in(page, base, world.maria)
        _case_of(page, world)
        page.get_by_role("link", name="Sign off or send back the decision").click()
        page.get_by_label("Yes, sign it off").check()
        page.get_by_role("button", name="Continue").click()
        case.refresh_from_db()
        assert case.state == State.OUTCOME and case.is_referral

        # The strategy discussion proposes the school and Lily's health visitor. The case
        # has left the open queue; Sam finds it under all cases.
        browser_sign_in(page, base, world.sam)
        page.get_by_role("link", name="MASH", exact=True).click()
        page.get_by_label("State").select_option("all")
        page.get_by_role("button", name="Filter").click()
        page.get_by_role("link", name="Jack Taylor").click()
        page.get_by_role("link", name="Plan the strategy discussion").click()
        school = page.get_by_label("Designated safeguarding lead (Oakfield Primary School)")
        visitor = page.get_by_label("Health visiting (Northbrook Community Health NHS Trust)")
        assert school.is_checked() and visitor.is_checked()
        expect(page.get_by_text("made the contact").first).to_be_visible()
        expect(page.get_by_text("who lives with Jack").first).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "mash-e2e-invitees.png"), full_page=True)
        page.get_by_role("button", name="Send the invitations").click()
        page.get_by_role("link", name="Record the strategy discussion").click()
        page.get_by_label("Day").fill(str(today.day))
        page.get_by_label("Month").fill(str(today.month))
        page.get_by_label("Year").fill(str(today.year))
        page.get_by_label("Hour").fill("0")
        page.get_by_label("Minute").fill("01")
        for team in (
            "Northbrook MASH (Northbrook Council)",
            "Police MASH desk (Northbrook Police)",
        ):
            page.get_by_label(team).check()
        page.get_by_label("Health MASH team (Northbrook Community Health NHS Trust)").check()
        page.get_by_label("Designated safeguarding lead (Oakfield Primary School)").check()
        page.get_by_label("What each agency shared").fill(
            "Police: two call-outs. Health: missed checks. School: Jack's disclosure."
        )
        page.get_by_label("Joint section 47 enquiry (police and social care)").check()
        page.get_by_label("Why?").fill(
            "Reasonable cause to suspect Jack is suffering significant physical harm."
        )
        page.get_by_role("button", name="Record the discussion").click()
        discussion = StrategyDiscussion.objects.get(case=case)
        assert discussion.conference_due is not None
        expect(page.get_by_text(f"{discussion.conference_due:%-d %B %Y}").first).to_be_visible()

        # Afterwards, Jack's chronology holds the contact, the meeting's minutes, the
        # decision and the strategy discussion.
        page.goto(f"{base}/people/{world.jack.pk}/chronology/")
        for text in (
            "Contact to Northbrook MASH from Dana Whyte",
            "MASH daily meeting",
            "Police: two call-outs. Health: missed dental checks. School: disclosure.",
            "MASH decision: Strategy discussion (section 47).",
            "Strategy discussion. Attended:",
        ):
            expect(page.get_by_text(text).first, text).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "mash-e2e-chronology.png"), full_page=True)
        page.goto(f"{base}/people/{world.jack.pk}/")
        expect(page.get_by_role("heading", name="MASH").first).to_be_visible()
        latest = page.locator("h2:has-text('Latest in the chronology') + dl")
        expect(latest.get_by_text("MASH daily meeting")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "mash-e2e-record.png"), full_page=True)
    kinds = set(ChronologyEvent.objects.filter(person=world.jack).values_list("kind", flat=True))
    assert {EventKind.CONTACT, EventKind.MEETING, EventKind.DECISION} <= kinds
