"""In a real browser: Erin starts working with Jack; Dana, his school's safeguarding
lead, signs in, sees she has an alert, and reads who is now involved and how to reach
them."""

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


def test_dana_reads_that_early_help_is_now_working_with_jack(live_server):
    world = build_world()
    involvement_start(
        person=world.jack,
        team=world.early_help,
        practitioner=world.erin,
        capacity=Capacity.EARLY_HELP,
        started_on=date(2026, 11, 30),
        source_agency=world.council,
        source_system="TellOnce",
    )
    device = TOTPDevice.objects.create(user=world.dana, name="phone", confirmed=True)
    SCREENSHOTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        browser_sign_in_with_code(page, live_server.url, "dana", device)
        expect(page.get_by_text("You have 1 unread alert.")).to_be_visible()
        page.get_by_role("link", name="Read your alerts").click()
        page.screenshot(path=str(SCREENSHOTS / "alerts-inbox.png"), full_page=True)
        page.get_by_role("link", name="Northbrook Council is now involved with Jack Taylor").click()
        # The alert's facts are a summary list: "Contact" beside who and how to reach them.
        contact = page.locator(".govuk-summary-list__row", has_text="Contact")
        expect(contact.locator("dd")).to_contain_text("Erin Cole, Early help team")
        expect(page.get_by_role("link", name="Open Jack's record")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "alert.png"), full_page=True)
        page.get_by_role("link", name="All alerts").click()
        expect(page.get_by_text("0 unread")).to_be_visible()
