"""An agency's system reads its own team's alerts, as the team's people do, and never
another team's of its agency (issue 14); and every alert says what it is about, with
the API URL the system then reads it at: Jack and Amir are reported missing, the MASH
asks health about Jack, the police tell Oakfield of an incident at Jack's home."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.selectors import KEY_SUBJECTS, AlertSubject, alert_subject
from tellonce.alerts.services import deliveries_send
from tellonce.audit.models import Channel
from tellonce.audit.services import Via

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)
SRC = Path(__file__).resolve().parents[2]


def system(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def _missing(user, person):
    from tellonce.missing.services import EpisodeDetails, episode_report

    return episode_report(
        user=user,
        person=person,
        details=EpisodeDetails(
            last_seen_at=timezone.now() - timedelta(hours=3),
            last_seen_where="Northbrook station, by the ticket barriers",
            circumstances="Did not come home after school; phone switched off since 4pm.",
            risk="high",
            reporter_name=user.get_full_name(),
            reporter_role="Practitioner",
            reporter_phone="020 7946 1234",
        ),
        via=WEB,
    )


def _inbox(client: Client) -> list[dict]:
    response = client.get("/api/v1/alerts/")
    assert response.status_code == 200
    return response.json()


def test_each_system_reads_its_own_teams_alerts_never_another_teams_of_its_agency(world, signed_in):
    _missing(world.dana, world.jack)
    amir = _missing(world.sam, world.amir)
    deliveries_send()
    desk = {a["id"] for a in _inbox(system(world.desk_token))}
    force = {a["id"] for a in _inbox(system(world.police_token))}
    # The desk's system: the desk's two reports, as Tom reads them.
    assert desk == set(
        Alert.objects.filter(team=world.police_mash, kind=AlertKind.MISSING_REPORTED).values_list(
            "pk", flat=True
        )
    )
    assert len(desk) == 2
    assert {a["id"] for a in _inbox(signed_in(world.tom))} == desk
    # The force's system in public protection: its own team's alert about Amir, whom
    # it investigates, and none of the desk's (they were once all the force's).
    (ppu,) = Alert.objects.filter(team=world.public_protection)
    assert force == {ppu.pk}
    assert ppu.key == f"missing:{amir.pk}"
    for alert_id in desk:
        assert system(world.police_token).get(f"/api/v1/alerts/{alert_id}/").status_code == 404
        assert (
            system(world.police_token).post(f"/api/v1/alerts/{alert_id}/read/").status_code == 404
        )
    assert system(world.desk_token).get(f"/api/v1/alerts/{ppu.pk}/").status_code == 404
    # Health's system: nothing was sent to health.
    assert _inbox(system(world.health_token)) == []


def _follow(client: Client, alerts: list[dict]) -> list[tuple[str, int]]:
    """Each alert's subject, fetched at its URL: (type, status)."""
    followed = []
    for alert in alerts:
        about = alert["about"]
        assert about is not None, alert
        assert client.get(f"/api/v1/alerts/{alert['id']}/").json()["about"] == about
        if about["url"] is not None:
            response = client.get(about["url"])
            body = response.json()
            # A MASH case comes with everything needed to decide on it.
            assert (body["id"] if "id" in body else body["case"]["id"]) == about["id"], body
            followed.append((about["type"], response.status_code))
    return followed


def test_every_alert_says_what_it_is_about_and_the_system_reads_it_there(world, signed_in):
    from tellonce.encompass.calendar import borough_calendar_ensure
    from tellonce.encompass.services import (
        ChildDetails,
        IncidentDetails,
        incident_record,
        school_sign_up,
    )
    from tellonce.mash.models import Channel as ContactChannel
    from tellonce.mash.models import MashCase
    from tellonce.mash.services import ChildDetails as ContactChild
    from tellonce.mash.services import ContactDetails, case_screen, contact_make, rfi_send

    episode = _missing(world.dana, world.jack)
    contact = contact_make(
        user=world.dana,
        details=ContactDetails(
            children=[ContactChild(person_id=world.jack.pk)],
            source="2A",
            referrer_name="Dana Whyte",
            referrer_role="Designated safeguarding lead",
            referrer_phone="020 7946 1234",
            referrer_email="",
            concern="Jack came to school with a bruise on his cheek and said he was pushed.",
            help_so_far="Spoke with Jack with the class teacher; gave breakfast; logged it.",
            child_needs="Jack needs to be safe at home and fed.",
            child_voice="Jack said 'I don't want to go home when he is there'.",
            household="Mum Kerry, baby sister Lily, and mum's boyfriend.",
            family_knows=True,
            consent="given",
        ),
        channel=ContactChannel.WEB,
        via=WEB,
    )
    case = MashCase.objects.get(contact_children__contact=contact)
    case_screen(user=world.sam, case=case, rag="red", reason="Injury and disclosure", via=WEB)
    rfi = rfi_send(
        user=world.sam,
        case=case,
        team=world.health_mash,
        question="Health history for Jack and his baby sister?",
        via=WEB,
    )
    borough_calendar_ensure()
    school_sign_up(school=world.school)
    incident_record(
        user=world.tom,
        details=IncidentDetails(
            police_ref="NBP/DA/14",
            occurred_at=timezone.now() - timedelta(hours=2),
            place="Flat 3, Alder House, Northbrook NB1 4QT",
            children=[
                ChildDetails(person_id=world.jack.pk, present=True, voice="Jack was crying.")
            ],
        ),
        via=WEB,
    )
    deliveries_send()

    desk = system(world.desk_token)
    desk_alerts = _inbox(desk)
    assert {a["about"]["type"] for a in desk_alerts} == {"missing_episode"}
    assert _follow(desk, desk_alerts) == [("missing_episode", 200)]
    assert desk_alerts[0]["about"] == {
        "type": "missing_episode",
        "id": episode.pk,
        "url": f"/api/v1/missing-episodes/{episode.pk}/",
    }

    health = system(world.health_token)
    health_alerts = _inbox(health)
    assert [a["kind"] for a in health_alerts] == [AlertKind.RFI_RECEIVED]
    assert health_alerts[0]["about"]["url"] == f"/api/v1/requests/{rfi.pk}/"
    assert _follow(health, health_alerts) == [("information_request", 200)]

    school = system(world.school_token)
    school_alerts = _inbox(school)
    assert _follow(school, school_alerts) == [("encompass_notification", 200)]
    # Looking at an alert leaves it unread: only reading it marks it so.
    assert all(a["read_on"] is None for a in _inbox(school))

    # A week on, the decision is overdue: Maria reads the case her alert is about.
    from tellonce.mash.services import mash_clock_tick

    mash_clock_tick(now=timezone.now() + timedelta(days=7))
    deliveries_send()
    maria = signed_in(world.maria)
    overdue = [a for a in _inbox(maria) if a["kind"] == AlertKind.DECISION_OVERDUE]
    assert [a["about"] for a in overdue] == [
        {"type": "mash_case", "id": case.pk, "url": f"/api/v1/mash/cases/{case.pk}/"}
    ]
    assert _follow(maria, overdue) == [("mash_case", 200)]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"key": "missing:7"}, AlertSubject("missing_episode", 7, "/api/v1/missing-episodes/7/")),
        # A key naming one recipient's copy is still about the object, at its URL.
        (
            {"key": "missing:7:supervisor:3"},
            AlertSubject("missing_episode", 7, "/api/v1/missing-episodes/7/"),
        ),
        (
            {"key": "rfi:12:manager:5"},
            AlertSubject("information_request", 12, "/api/v1/requests/12/"),
        ),
        ({"key": "case:4:withdrawn:9"}, AlertSubject("mash_case", 4, "/api/v1/mash/cases/4/")),
        (
            {"key": "encompass:3:chase"},
            AlertSubject("encompass_notification", 3, "/api/v1/encompass/notifications/3/"),
        ),
        ({"key": "rhi:2:due"}, AlertSubject("return_interview", 2, None)),
        ({"key": "missing-flag:8"}, AlertSubject("missing_flag", 8, None)),
        ({"key": "action:6:withdrawn"}, AlertSubject("action", 6, None)),
        ({"key": "strategy:5:manager:1"}, AlertSubject("strategy_discussion", 5, None)),
        ({"key": "contact:9:withdrawn"}, AlertSubject("contact", 9, None)),
        ({"key": "involvement:11:confirm:2"}, AlertSubject("involvement", 11, None)),
        ({"key": "break-glass:4:2"}, AlertSubject("break_glass", 4, None)),
        ({"key": "account-change:3:asked:1"}, AlertSubject("account_change", 3, None)),
        ({"key": "system-burst:5:2026120402:1"}, AlertSubject("system_account", 5, None)),
        ({"involvement_id": 21}, AlertSubject("involvement", 21, None)),
        ({"chronology_event_id": 31}, AlertSubject("chronology_event", 31, None)),
        ({"key": ""}, None),
        ({"key": "x:1"}, None),
    ],
)
def test_what_an_alert_is_about_comes_from_its_event_or_its_key(fields, expected):
    assert alert_subject(Alert(**fields)) == expected


def test_every_prefix_an_alert_is_written_with_is_known():
    written = set()
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        written |= set(re.findall(r'key=f"([a-z-]+):', path.read_text()))
    assert written, "no alert keys found"
    assert written <= set(KEY_SUBJECTS), written - set(KEY_SUBJECTS)
