"""Every page type, checked with axe-core against WCAG 2.2 A and AA rules in chromium,
including the error states a practitioner meets."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice

from tellonce.testing.browser import chromium_page, totp_code
from tellonce.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _violations(axe: Axe, page) -> list[str]:
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} elements)"
        for v in results.response["violations"]
    ]


def test_pages_meet_wcag_2_2_aa(live_server):
    world = build_world()
    world.maria.is_demo_account = True  # no second factor: sign-in is tested elsewhere
    world.maria.save()
    device = TOTPDevice.objects.create(user=world.maria, name="phone", confirmed=True)
    axe = Axe()
    base = live_server.url
    found: dict[str, list[str]] = {}
    with chromium_page() as page:
        page.goto(f"{base}/sign-in/")
        found["sign in"] = _violations(axe, page)
        page.get_by_role("button", name="Sign in").click()
        found["sign in with errors"] = _violations(axe, page)
        page.get_by_label("Username").fill("maria")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        if page.get_by_label("Security code").count():
            page.get_by_label("Security code").fill(totp_code(device))
            page.get_by_role("button", name="Continue").click()
        found["home"] = _violations(axe, page)
        page.goto(f"{base}/people/search/")
        page.get_by_label("Last name").fill("Taylor")
        page.get_by_role("button", name="Search").click()
        found["search with errors"] = _violations(axe, page)
        page.get_by_label("First name").fill("Jack")
        page.get_by_role("button", name="Search").click()
        found["search results"] = _violations(axe, page)
        page.goto(f"{base}/people/{world.amir.pk}/")
        found["record"] = _violations(axe, page)
        page.goto(f"{base}/people/{world.amir.pk}/access-log/")
        found["access log"] = _violations(axe, page)
        page.goto(f"{base}/people/{world.jack.pk}/flag/")
        found["flag"] = _violations(axe, page)
        page.goto(f"{base}/people/{world.jack.pk}/break-glass/")
        page.get_by_role("button", name="Open the record").click()
        found["break-glass with errors"] = _violations(axe, page)
        page.goto(f"{base}/people/{world.amir.pk}/identifiers/add/")
        page.get_by_role("button", name="Save identifier").click()
        found["add identifier with errors"] = _violations(axe, page)
    problems = {name: v for name, v in found.items() if v}
    assert not problems, problems
    assert len(found) == 10
