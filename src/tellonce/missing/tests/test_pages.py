"""The missing pages, as Eddie, Tom, Rita, Cara, Ana and Erin see them; and the API
round trip: the emergency duty team reports Jack, the police inbox has him at once,
the interview is recorded and the police read it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.conftest import sign_in_fully
from tellonce.missing.models import InterviewState, MissingEpisode, ReturnHomeInterview
from tellonce.testing.forms import date_typed

pytestmark = pytest.mark.django_db


def _report(client: Client, world, **changes: Any):
    body = {
        **date_typed("last_seen", timezone.now() - timedelta(hours=2)),
        "last_seen_where": "Rosewood children's home, Elm Road",
        "circumstances": "Left after an argument with staff; red hoodie; talks of the station.",
        "risk": "high",
        "reporter_name": "Eddie Moss",
        "reporter_role": "EDT social worker",
        "reporter_phone": "07700 900123",
    }
    body.update(changes)
    return client.post(f"/missing/report/{world.jack.pk}/", body)


def test_eddie_reports_jack_and_tom_acknowledges_from_his_inbox(world, missing, signed_in):
    client = signed_in(missing.eddie)
    assert client.get(f"/missing/report/{world.jack.pk}/").status_code == 200
    response = _report(client, world)
    episode = MissingEpisode.objects.get()
    assert response.status_code == 302 and response.url == f"/missing/episodes/{episode.pk}/"
    page = client.get(response.url).content.decode()
    assert "Not yet acknowledged" in page and "Rosewood" in page
    assert client.get("/missing/police/").status_code == 403

    client = signed_in(world.tom)
    inbox = client.get("/missing/police/").content.decode()
    assert "Jack Taylor" in inbox and "Not acknowledged" in inbox
    page = client.get(f"/missing/episodes/{episode.pk}/").content.decode()
    assert "Acknowledge: the police have this" in page
    client.post(f"/missing/episodes/{episode.pk}/acknowledge/")
    episode.refresh_from_db()
    assert episode.police_acknowledged_by == world.tom

    client = signed_in(world.erin)
    assert client.get(f"/missing/episodes/{episode.pk}/").status_code == 404
    assert client.post(f"/missing/episodes/{episode.pk}/acknowledge/").status_code == 404


def test_a_report_with_problems_shows_each_by_field(world, missing, signed_in):
    client = signed_in(missing.eddie)
    later = date_typed("last_seen", timezone.now() + timedelta(hours=3))
    page = _report(client, world, **later, risk="")
    html = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem" in html
    assert "must be in the past" in html and "Choose the risk" in html
    assert not MissingEpisode.objects.exists()


def test_the_return_the_interview_and_who_may_read_it(world, missing, signed_in):
    client = signed_in(missing.eddie)
    _report(client, world)
    episode = MissingEpisode.objects.get()
    returned = date_typed("returned", timezone.now() - timedelta(minutes=30))
    client.post(
        f"/missing/episodes/{episode.pk}/return/",
        {**returned, "return_details": "Came back by himself."},
    )
    interview = ReturnHomeInterview.objects.get()
    assert interview.assigned_team == missing.interviews

    # Cara, his social worker, may not do it; Rita, independent, may.
    client = signed_in(missing.cara)
    assert (
        "Record the interview"
        not in client.get(f"/missing/episodes/{episode.pk}/").content.decode()
    )
    assert client.post(f"/missing/interviews/{interview.pk}/record/", {}).status_code == 403
    client = signed_in(missing.rita)
    assert "Jack Taylor" in client.get("/missing/interviews/").content.decode()
    page = client.post(f"/missing/interviews/{interview.pk}/record/", {"why_left": "angry"})
    assert "Say where the child went" in page.content.decode()
    client.post(
        f"/missing/interviews/{interview.pk}/record/",
        {
            "why_left": "Angry about contact with mum being cancelled.",
            "where_went": "Northbrook station, then Canal Street.",
            "with_whom": "Older boys, 'Dee' and 'K'.",
            "risks": "Out overnight; given cannabis.",
            "push_factors": "Arguments at the home.",
            "pull_factors": "Money and attention.",
            "child_said": "They look after me.",
            "exploitation": ["cce"],
        },
    )
    interview.refresh_from_db()
    assert interview.state == InterviewState.COMPLETED
    for reader in (world.tom, missing.cara):
        page = signed_in(reader).get(f"/missing/episodes/{episode.pk}/").content.decode()
        assert "They look after me." in page and "criminal exploitation" in page
    assert Alert.objects.filter(kind=AlertKind.RHI_SHARED, team=world.police_mash).exists()
    record = signed_in(missing.cara).get(f"/people/{world.jack.pk}/").content.decode()
    assert "Signs of exploitation in a return home interview" in record.replace("\n", " ") or (
        "signs of exploitation" in record
    )
    assert signed_in(world.erin).get(f"/missing/episodes/{episode.pk}/").status_code == 404
    # Eddie reported him but does not work with him: he reads that the interview was
    # done, not what Jack said in it, on the page or through the API.
    eddie = signed_in(missing.eddie)
    page = eddie.get(f"/missing/episodes/{episode.pk}/").content.decode()
    assert "Completed" in page and "not with the team that reported the episode" in page
    assert "They look after me." not in page and "Older boys" not in page
    read = eddie.get(f"/api/v1/missing-episodes/{episode.pk}/").json()["interview"]
    assert read["state"] == "completed" and "child_said" not in read and "with_whom" not in read
    tom = signed_in(world.tom).get(f"/api/v1/missing-episodes/{episode.pk}/").json()
    assert tom["interview"]["child_said"] == "They look after me."
    assert tom["child"] == "Jack Taylor"


def test_the_figures_page_is_for_analysts_and_managers(world, missing, signed_in):
    assert (
        "Notified to the police" in signed_in(world.ana).get("/missing/figures/").content.decode()
    )
    assert signed_in(world.maria).get("/missing/figures/").status_code == 200
    assert signed_in(world.sam).get("/missing/figures/").status_code == 403
    assert signed_in(world.ana).get(f"/missing/report/{world.jack.pk}/").status_code == 404


def test_the_child_record_offers_to_report_them_missing(world, missing, signed_in):
    page = signed_in(missing.cara).get(f"/people/{world.jack.pk}/").content.decode()
    assert "Report Jack missing" in page
    flag = signed_in(missing.eddie).get(f"/people/{world.jack.pk}/", follow=True)
    assert "Report Jack missing" in flag.content.decode()


# ----- the API --------------------------------------------------------------------


def _post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def test_the_api_round_trip(world, missing, signed_in):
    client = signed_in(missing.eddie)
    bad = _post(
        client,
        f"/api/v1/people/{world.jack.pk}/missing-episodes/",
        {"last_seen_at": (timezone.now() + timedelta(hours=1)).isoformat()},
    )
    assert bad.status_code == 400
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"last_seen_at", "risk", "circumstances", "last_seen_where"} <= fields
    made = _post(
        client,
        f"/api/v1/people/{world.jack.pk}/missing-episodes/",
        {
            "last_seen_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "last_seen_where": "Rosewood children's home",
            "circumstances": "Left after an argument with staff; red hoodie.",
            "risk": "medium",
            "reporter_name": "Eddie Moss",
            "reporter_phone": "07700 900123",
        },
    )
    assert made.status_code == 201, made.json()
    episode_id = made.json()["id"]
    assert made.json()["police_team"] == world.police_mash.name

    tom = sign_in_fully(Client(), world.tom)
    inbox = tom.get("/api/v1/missing-episodes/").json()
    assert [e["id"] for e in inbox] == [episode_id]
    assert inbox[0]["police_acknowledged_on"] is None
    ack = _post(tom, f"/api/v1/missing-episodes/{episode_id}/acknowledge/")
    assert ack.status_code == 200 and ack.json()["police_acknowledged_on"]
    assert _post(client, f"/api/v1/missing-episodes/{episode_id}/acknowledge/").status_code == 403

    back = _post(
        client,
        f"/api/v1/missing-episodes/{episode_id}/return/",
        {
            "returned_on": (timezone.now() - timedelta(minutes=5)).isoformat(),
            "return_details": "Home.",
        },
    )
    assert back.status_code == 200
    interview_id = back.json()["interview"]["id"]

    rita = sign_in_fully(Client(), missing.rita)
    refused = _post(rita, f"/api/v1/return-interviews/{interview_id}/", {"outcome": "refused"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "refused_reason"
    done = _post(
        rita,
        f"/api/v1/return-interviews/{interview_id}/",
        {
            "outcome": "completed",
            "why_left": "Row at the home.",
            "where_went": "A friend's flat.",
            "with_whom": "A school friend.",
            "risks": "None found.",
            "child_said": "I just needed space.",
        },
    )
    assert done.status_code == 200 and done.json()["shared_with_police_on"]
    read = tom.get(f"/api/v1/missing-episodes/{episode_id}/").json()
    assert read["interview"]["child_said"] == "I just needed space."
    assert (
        sign_in_fully(Client(), world.erin)
        .get(f"/api/v1/missing-episodes/{episode_id}/")
        .status_code
        == 404
    )

    figures = sign_in_fully(Client(), world.ana).get("/api/v1/missing/figures/").json()
    assert figures["episodes"] == 1 and figures["notified_share"] == 100.0
    assert figures["shared_with_police_share"] == 100.0
    assert sign_in_fully(Client(), world.tom).get("/api/v1/missing/figures/").status_code == 403


# ----- in a browser -----------------------------------------------------------------

SCREENSHOTS = Path("test-results")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_episode_and_the_interview_in_a_browser(live_server):
    from tellonce.audit.models import Channel
    from tellonce.audit.services import Via
    from tellonce.missing import services
    from tellonce.missing.services import EpisodeDetails, InterviewDetails
    from tellonce.missing.tests.conftest import missing as missing_fixture
    from tellonce.testing.browser import browser_sign_in, chromium_page
    from tellonce.testing.world import build_world

    world = build_world()
    people = missing_fixture.__wrapped__(world)  # type: ignore[attr-defined]
    web = Via(Channel.WEB)
    episode = services.episode_report(
        user=people.eddie,
        person=world.jack,
        details=EpisodeDetails(
            last_seen_at=timezone.now() - timedelta(hours=5),
            last_seen_where="Rosewood children's home, 12 Elm Road",
            circumstances="Left after an argument with staff; red hoodie; talks of the station.",
            risk="high",
            reporter_name="Eddie Moss",
            reporter_role="EDT social worker",
            reporter_phone="07700 900123",
        ),
        via=web,
    )
    SCREENSHOTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        browser_sign_in(page, live_server.url, world.tom)
        page.goto(f"{live_server.url}/missing/episodes/{episode.pk}/")
        page.screenshot(path=str(SCREENSHOTS / "missing-episode.png"), full_page=True)
        page.get_by_role("button", name="Acknowledge: the police have this").click()
        assert "Acknowledged" in page.content()
        interview = services.episode_return(
            user=people.eddie,
            episode=episode,
            returned_on=timezone.now() - timedelta(hours=1),
            details="Brought back by the police from Northbrook station.",
            via=web,
        )
        services.interview_complete(
            user=people.rita,
            interview=interview,
            details=InterviewDetails(
                why_left="Angry that contact with mum was cancelled.",
                where_went="Northbrook station, then a flat in Canal Street.",
                with_whom="Two older boys, 'Dee' and 'K'.",
                risks="Out overnight with older males; given cannabis.",
                push_factors="Arguments with staff.",
                pull_factors="The older boys give him money.",
                child_said="They're my mates, they look after me.",
                cce_indicators=True,
            ),
            via=web,
        )
        page.goto(f"{live_server.url}/missing/episodes/{episode.pk}/")
        assert "look after me" in page.content()
        page.screenshot(path=str(SCREENSHOTS / "missing-interview.png"), full_page=True)
    # Eddie reported him and does not work with him: the interview was done, and he is
    # told where it went, not what Jack said; on a phone too.
    with chromium_page() as page:
        page.set_viewport_size({"width": 320, "height": 900})
        browser_sign_in(page, live_server.url, people.eddie)
        page.goto(f"{live_server.url}/missing/episodes/{episode.pk}/")
        text = page.content()
        assert "Completed" in text and "look after me" not in text
        assert "not with the team that reported the episode" in text
        page.screenshot(
            path=str(SCREENSHOTS / "missing-interview-reporter-320.png"), full_page=True
        )
