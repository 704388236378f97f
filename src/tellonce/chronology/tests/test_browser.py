"""In a real browser: Dana adds an exclusion to Jack's chronology and reads it beside the
council's entries, filtered to her school's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tellonce.involvements.models import Capacity
from tellonce.involvements.services import involvement_start
from tellonce.testing.browser import browser_sign_in_with_code, chromium_page
from tellonce.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path("test-results")


def test_dana_adds_an_exclusion_and_reads_the_chronology(live_server):
    world = build_world()
    involvement_start(
        person=world.jack,
        team=world.early_help,
        practitioner=world.erin,
        capacity=Capacity.EARLY_HELP,
        started_on=date(2026, 11, 10),
        source_agency=world.council,
        source_system="TellOnce",
    )
    device = TOTPDevice.objects.create(user=world.dana, name="phone", confirmed=True)
    SCREENSHOTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        browser_sign_in_with_code(page, live_server.url, "dana", device)
        page.goto(f"{live_server.url}/people/{world.jack.pk}/")
        page.get_by_role("link", name="Multi-agency chronology").click()
        page.get_by_role("link", name="Add a significant event").click()
        page.get_by_label("Type of event").select_option("exclusion")
        page.get_by_label("Day").fill("3")
        page.get_by_label("Month").fill("11")
        page.get_by_label("Year").fill("2026")
        page.get_by_label("What happened").fill("Fixed-term exclusion, 2 days, after a fight")
        page.get_by_role("button", name="Add to the chronology").click()
        expect(page.get_by_text("Fixed-term exclusion, 2 days, after a fight")).to_be_visible()
        expect(page.get_by_text("started working with them in early help")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "chronology.png"), full_page=True)
        page.get_by_label("Agency").select_option(label="Oakfield Primary School")
        page.get_by_role("button", name="Filter").click()
        assert page.get_by_text("started working with them").count() == 0


def test_dana_is_told_which_field_holds_hidden_characters_and_an_impossible_date(live_server):
    """At 320 pixels, as on a phone: words pasted with a right-to-left override, and a
    year typed as 0001, are refused by name, and nothing is added."""
    world = build_world()
    device = TOTPDevice.objects.create(user=world.dana, name="phone", confirmed=True)
    SCREENSHOTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        page.set_viewport_size({"width": 320, "height": 900})
        browser_sign_in_with_code(page, live_server.url, "dana", device)
        page.goto(f"{live_server.url}/people/{world.jack.pk}/")
        page.get_by_role("link", name="Multi-agency chronology").click()
        page.get_by_role("link", name="Add a significant event").click()
        page.get_by_label("Type of event").select_option("exclusion")
        page.get_by_label("Day").fill("3")
        page.get_by_label("Month").fill("11")
        page.get_by_label("Year").fill("0001")
        page.get_by_label("What happened").fill("Excluded after a fight \u202egnissim")
        page.get_by_role("button", name="Add to the chronology").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text(
            "What happened must not contain a right-to-left override or other bidirectional"
        )
        page.screenshot(path=str(SCREENSHOTS / "chronology-refused-320.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"the page is {width} pixels wide at 320"
        page.get_by_label("What happened").fill("Excluded after a fight")
        page.get_by_role("button", name="Add to the chronology").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("must not be before 1900")
    from tellonce.chronology.models import ChronologyEvent

    assert not ChronologyEvent.objects.filter(summary__contains="fight").exists()
