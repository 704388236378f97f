"""At 320 pixels wide, as on a small phone, no page is wider than the screen: a wide
table scrolls within itself, and the page never scrolls sideways. Each main page is
visited as the person who uses it: Sam's MASH queue, case, meeting and actions; Tom's
requests, missing children list and an episode; Rita's interviews; Dana's home, alerts,
notifications and Jack's record and chronology; Ana's coverage and figures; Erin's
early help worklist, the episode and her answer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import deliveries_send
from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.earlyhelp import services as early_help
from tellonce.encompass import services as encompass
from tellonce.encompass.models import Notification, Recipient
from tellonce.encompass.tests.conftest import encompass_set_up
from tellonce.encompass.tests.test_workflow import details
from tellonce.mash import services as mash
from tellonce.mash.tests.test_deadlines import contact_about
from tellonce.missing import services as missing
from tellonce.missing.tests.conftest import missing_people
from tellonce.missing.tests.test_workflow import seen
from tellonce.testing.browser import browser_sign_in, chromium_page
from tellonce.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path("test-results")
WEB = Via(Channel.WEB)
NARROW = {"width": 320, "height": 640}
#: What sticks out past the screen's right edge, to say why a page is too wide.
WIDER = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-5).map(el => el.tagName + '.' + el.className)"""


def _a_morning(world):
    """A case for Jack at the MASH with a request to the police and an action; a missing
    episode, returned, with its interview; an Operation Encompass notification; alerts."""
    people = missing_people(world)
    encompass_set_up(world)
    case = contact_about(world, world.jack)
    mash.case_screen(
        user=world.sam, case=case, rag="amber", reason="Injury and a disclosure", via=WEB
    )
    request = mash.rfi_send(
        user=world.sam,
        case=case,
        team=world.police_mash,
        question="Any police history at the address, and who is the boyfriend?",
        via=WEB,
    )
    mash.action_add(
        user=world.sam,
        case=case,
        description="Visit Jack at school and speak to him alone",
        owner=world.sam,
        due_on=timezone.localdate() + timedelta(days=1),
        via=WEB,
    )
    episode = missing.episode_report(
        user=people.eddie,
        person=world.jack,
        details=seen(timezone.now() - timedelta(hours=5)),
        via=WEB,
    )
    missing.episode_return(
        user=people.eddie,
        episode=episode,
        returned_on=timezone.now() - timedelta(hours=1),
        details="Brought back to Rosewood by the police from Northbrook station.",
        via=WEB,
    )
    encompass.incident_record(user=world.tom, details=details(world), via=WEB)
    deliveries_send()
    notification = Notification.objects.get(recipient=Recipient.SCHOOL)
    alert = Alert.objects.filter(team=world.oakfield_dsl, kind=AlertKind.ENCOMPASS).get()
    return people, case, request, episode, notification, alert


def test_no_main_page_is_wider_than_a_320_pixel_screen(live_server):
    world = build_world()
    people, case, request, episode, notification, alert = _a_morning(world)
    jack = world.jack.pk
    asked = early_help.episode_request(
        user=world.dana,
        person=world.jack,
        request=early_help.EpisodeRequest(
            reason="His mother asked the school for help with routines since the baby came.",
            lead=world.erin,
            consent=early_help.Consent(),
        ),
        via=WEB,
    )
    visits = {
        world.sam: ["/mash/", f"/mash/cases/{case.pk}/", "/mash/actions/", "/mash/meeting/"],
        world.tom: [
            "/mash/requests/",
            f"/mash/requests/{request.pk}/",
            "/missing/police/",
            f"/missing/episodes/{episode.pk}/",
        ],
        people.rita: ["/missing/interviews/"],
        world.dana: [
            "/",
            "/alerts/",
            f"/alerts/{alert.pk}/",
            "/encompass/",
            f"/encompass/notifications/{notification.pk}/",
            f"/people/{jack}/",
            f"/people/{jack}/chronology/",
            f"/early-help/{asked.pk}/lead/",
        ],
        world.ana: ["/encompass/coverage/", "/encompass/figures/", "/missing/figures/"],
        world.erin: ["/early-help/", f"/early-help/{asked.pk}/", f"/early-help/{asked.pk}/answer/"],
    }
    SCREENSHOTS.mkdir(exist_ok=True)
    too_wide = {}
    with chromium_page() as page:
        page.set_viewport_size(NARROW)
        for user, paths in visits.items():
            browser_sign_in(page, live_server.url, user)
            for path in paths:
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status == 200, (user.username, path)
                width = page.evaluate("document.documentElement.scrollWidth")
                screen = page.evaluate("window.innerWidth")
                if width > screen:
                    too_wide[f"{user.username} {path}"] = (width, page.evaluate(WIDER))
                    name = path.strip("/").replace("/", "-") or "home"
                    page.screenshot(path=str(SCREENSHOTS / f"narrow-{name}.png"), full_page=True)
    assert too_wide == {}, f"wider than {NARROW['width']} pixels: {too_wide}"
