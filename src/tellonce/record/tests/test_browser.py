"""In a real browser: Dana signs in with her password and authenticator code, finds Jack
and opens his record; Tom, a police officer not involved, finds him and sees the flag."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tellonce.testing.browser import browser_sign_in_with_code, chromium_page
from tellonce.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path("test-results")


def _search_for_jack(page, world) -> None:
    page.get_by_role("link", name="Find a child").first.click()
    page.get_by_label("First name").fill("Jak")
    page.get_by_label("Last name").fill("Tayler")
    page.get_by_label("Year").fill(str(world.jack.date_of_birth.year))
    page.get_by_role("button", name="Search").click()


def test_dana_finds_jack_and_opens_his_record(live_server):
    world = build_world()
    device = TOTPDevice.objects.create(user=world.dana, name="phone", confirmed=True)
    SCREENSHOTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        browser_sign_in_with_code(page, live_server.url, "dana", device)
        expect(page.get_by_role("heading", name="Dana Whyte")).to_be_visible()
        _search_for_jack(page, world)
        page.get_by_role("link", name="Jack Taylor").click()
        expect(page.get_by_role("heading", name="Jack Taylor", level=1)).to_be_visible()
        expect(page.get_by_text("943 476 5919")).to_be_visible()
        expect(page.get_by_text("No lead professional has been named for Jack")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "record.png"), full_page=True)


def test_tom_uninvolved_sees_only_who_to_contact(live_server):
    world = build_world()
    device = TOTPDevice.objects.create(user=world.tom, name="phone", confirmed=True)
    SCREENSHOTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        browser_sign_in_with_code(page, live_server.url, "tom", device)
        _search_for_jack(page, world)
        page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)
        page.get_by_role("link", name="Jack Taylor").click()
        expect(page.get_by_role("heading", name="Jack Taylor", level=1)).to_be_visible()
        expect(page.get_by_text("Designated safeguarding lead")).to_be_visible()
        assert page.get_by_text("943 476 5919").count() == 0
        page.screenshot(path=str(SCREENSHOTS / "flag.png"), full_page=True)
