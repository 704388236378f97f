"""An alert's page shows its facts in a summary list and a button that says what it
does ("Answer the request", "Acknowledge the notification", "Open Jack's record"), not
"Open it and act". Dana's inbox shows her unread alerts first, 25 a page, and all of
them on request; a page that is not there shows the first or the last."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.selectors import alert_action

pytestmark = pytest.mark.django_db


def _alert(world, kind: str, *, link: str = "", body: str = "", person=None, **extra) -> Alert:
    alert = Alert.objects.create(
        kind=kind,
        team=world.oakfield_dsl,
        person=person,
        link=link,
        title=extra.pop("title", "An alert for Dana"),
        body=body or "Something happened.",
        key=extra.pop("key", f"test:{Alert.objects.count()}"),
        **extra,
    )
    Alert.objects.filter(pk=alert.pk).update(delivered_on=timezone.now())
    alert.refresh_from_db()
    return alert


def _text(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


def test_an_encompass_alert_lists_its_facts_and_offers_to_acknowledge(world, signed_in):
    alert = _alert(
        world,
        AlertKind.ENCOMPASS,
        person=world.jack,
        link="/encompass/notifications/7/",
        title="Operation Encompass: Jack Taylor",
        body="Child: Jack Taylor\nPolice reference: NBP/DA/1\nChild present: Yes\n"
        "Acknowledge before the school day starts.",
    )
    page = _text(signed_in(world.dana).get(f"/alerts/{alert.pk}/"))
    rows = dict(
        re.findall(
            r'<dt class="govuk-summary-list__key">(.*?)</dt>'
            r' ?<dd class="govuk-summary-list__value">(.*?)</dd>',
            page,
        )
    )
    assert rows["Police reference"] == "NBP/DA/1" and rows["Child present"] == "Yes"
    assert rows["Child"] == "Jack Taylor" and "About" not in rows  # named once
    assert "Received" in rows and "To" in rows
    assert '<p class="govuk-body">Police reference: NBP/DA/1</p>' not in page
    assert '<p class="govuk-body">Acknowledge before the school day starts.</p>' in page
    assert (
        '<a class="govuk-button" data-module="govuk-button"'
        ' href="/encompass/notifications/7/">Acknowledge the notification</a>'
    ) in page
    assert "Open it and act" not in page
    assert f'href="/people/{world.jack.pk}/">Open Jack Taylor\'s record</a>' in page


def test_an_alert_about_a_child_with_no_link_opens_the_childs_record(world, signed_in):
    alert = _alert(
        world,
        AlertKind.NOW_INVOLVED,
        person=world.jack,
        body="Early help started working with Jack Taylor.\nContact: Erin Cole, 020 7946 0000",
    )
    page = _text(signed_in(world.dana).get(f"/alerts/{alert.pk}/"))
    assert f'href="/people/{world.jack.pk}/">Open Jack\'s record</a>' in page
    assert "Erin Cole, 020 7946 0000" in page and "Contact: Erin" not in page
    about = '<dt class="govuk-summary-list__key">About</dt>'
    assert about + '<dd class="govuk-summary-list__value">Jack Taylor</dd>' in page


@pytest.mark.parametrize(
    ("kind", "link", "said"),
    [
        (AlertKind.RFI_RECEIVED, "/mash/requests/4/", "Answer the request"),
        (AlertKind.RFI_ESCALATED, "/mash/requests/4/", "Answer the request"),
        (AlertKind.RFI_ESCALATED, "/mash/cases/3/", "Open Jack's MASH case"),
        (AlertKind.RFI_ANSWERED, "/mash/cases/3/", "Read the answer"),
        (AlertKind.DECISION_OVERDUE, "/mash/cases/3/", "Open Jack's MASH case"),
        (AlertKind.ACTION_ASSIGNED, "/mash/actions/", "See your actions"),
        (AlertKind.MISSING_REPORTED, "/missing/episodes/2/", "Open Jack's missing report"),
        (AlertKind.RHI_DUE, "/missing/episodes/2/", "Open Jack's return home interview"),
        (AlertKind.ENCOMPASS_CHASE, "/encompass/notifications/7/", "Acknowledge the notification"),
        (AlertKind.ENCOMPASS_ESCALATED, "/encompass/notifications/7/", "Open the notification"),
        (AlertKind.CONTACT_WITHDRAWN, "/mash/requests/", "See your requests for information"),
        (AlertKind.INVOLVEMENT_TO_CONFIRM, "/involvements/to-confirm/", "Confirm the involvement"),
    ],
)
def test_each_kind_of_alert_says_what_its_button_does(world, kind, link, said):
    assert alert_action(_alert(world, kind, link=link, person=world.jack)) == said


def test_an_alert_linking_to_itself_has_no_button(world, signed_in):
    alert = _alert(world, AlertKind.CONTACT_WITHDRAWN)
    Alert.objects.filter(pk=alert.pk).update(link=f"/alerts/{alert.pk}/")
    page = _text(signed_in(world.dana).get(f"/alerts/{alert.pk}/"))
    assert 'class="govuk-button"' not in page


# ----- the inbox --------------------------------------------------------------------


def test_danas_inbox_shows_the_unread_first_25_a_page_and_all_on_request(world, signed_in):
    for n in range(27):
        _alert(world, AlertKind.NOW_INVOLVED, person=world.jack, title=f"Unread alert {n}")
    read = _alert(world, AlertKind.NOW_INVOLVED, title="An alert Dana has read")
    Alert.objects.filter(pk=read.pk).update(read_on=timezone.now(), read_by=world.dana)
    dana = signed_in(world.dana)

    unread = _text(dana.get("/alerts/"))
    assert "Unread alerts (27)" in unread and "Showing 1 to 25 of 27" in unread
    assert "An alert Dana has read" not in unread
    assert 'href="?page=2" rel="next"' in unread
    second = _text(dana.get("/alerts/?page=2"))
    assert "Showing 26 to 27 of 27" in second

    everything = _text(dana.get("/alerts/?show=all&page=2"))
    assert "All alerts (28)" in everything and "Showing 26 to 28 of 28" in everything
    assert 'href="?show=all&page=1" rel="prev"' in everything
    for nonsense, showing in (("0", "1 to 25"), ("abc", "1 to 25"), ("9999", "26 to 27")):
        assert f"Showing {showing} of 27" in _text(dana.get(f"/alerts/?page={nonsense}"))


def test_with_nothing_unread_the_inbox_says_so_and_links_to_all(world, signed_in):
    read = _alert(world, AlertKind.NOW_INVOLVED, title="An alert Dana has read")
    Alert.objects.filter(pk=read.pk).update(read_on=timezone.now(), read_by=world.dana)
    page = _text(signed_in(world.dana).get("/alerts/"))
    assert "You have no unread alerts." in page and 'href="/alerts/?show=all"' in page
    assert "An alert Dana has read" in _text(signed_in(world.dana).get("/alerts/?show=all"))
