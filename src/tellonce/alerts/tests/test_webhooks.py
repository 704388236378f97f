"""Pushed, not polled (issue 14): the police MASH desk's system registers a webhook, and
when Dana reports Jack missing the desk's system is told at once, by a signed POST to a
real receiver on this machine, with the alert's own words and no more; a receiver that
answers 500 gets the same delivery again; a dead one holds up no one's inbox. Only an
agency's system may register one, and only over https (or http to this machine)."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind, Channel, Delivery, Webhook
from tellonce.alerts.services import inboxes_deliver
from tellonce.alerts.tasks import alerts_webhooks
from tellonce.audit.models import Channel as AuditChannel
from tellonce.audit.services import Via
from tellonce.missing.models import MissingEpisode
from tellonce.missing.services import EpisodeDetails, episode_report

pytestmark = pytest.mark.django_db


@dataclass
class Received:
    headers: dict[str, str]  # by lower-case name: HTTP's names are any case
    body: bytes


@dataclass
class Receiver:
    """An agency's system on this machine: records each POST, answers as told."""

    url: str
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.answers.pop(0) if state.answers else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/tellonce"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def _desk(world) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {world.desk_token}")


def _register(world, url: str) -> dict:
    response = _desk(world).post("/api/v1/webhooks/", {"url": url}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _dana_reports_jack_missing(world) -> MissingEpisode:
    return episode_report(
        user=world.dana,
        person=world.jack,
        details=EpisodeDetails(
            last_seen_at=timezone.now() - timedelta(hours=2),
            last_seen_where="Oakfield Primary School gates, at home time",
            circumstances="Jack did not come into his after-school club; red coat, grey bag.",
            risk="high",
            reporter_name="Dana Whyte",
            reporter_role="Designated safeguarding lead",
            reporter_phone="020 7946 1234",
        ),
        via=Via(AuditChannel.WEB),
    )


def _signed_rightly(secret: str, got: Received) -> bool:
    timestamp = got.headers["x-tellonce-timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + got.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(got.headers["x-tellonce-signature"], f"sha256={expected}")


def _words(value: object) -> str:
    return " ".join(_words(v) for v in value.values()) if isinstance(value, dict) else str(value)


def test_the_desks_system_is_told_of_jack_missing_by_one_signed_post(world, receiver):
    registered = _register(world, receiver.url)
    assert registered["url"] == receiver.url and len(registered["secret"]) == 64
    episode = _dana_reports_jack_missing(world)
    alert = Alert.objects.get(kind=AlertKind.MISSING_REPORTED, team=world.police_mash)

    assert alerts_webhooks.call() == {"sent": 1, "waiting": 0}

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert _signed_rightly(registered["secret"], got)
    assert got.headers["x-tellonce-delivery"] == f"alert-{alert.pk}"
    payload = json.loads(got.body)
    assert payload == {
        "id": f"alert-{alert.pk}",
        "kind": "missing_reported",
        "title": alert.title,
        "body": alert.body,
        "about": {
            "type": "missing_episode",
            "id": episode.pk,
            "url": f"/api/v1/missing-episodes/{episode.pk}/",
        },
        "created_on": alert.created_on.isoformat(),
    }
    # Jack's name is in the alert the desk reads in its inbox; nobody else's from his
    # record (his mother, his sister) is in the POST.
    assert "Jack Taylor" in alert.title
    for name in ("Kerry", "Lily"):
        assert name not in alert.body and name not in got.body.decode()
    assert set(_words(payload).split()) <= set(
        f"{alert.title} {alert.body} {_words(payload['about'])} {payload['id']}"
        f" {payload['kind']} {payload['created_on']}".split()
    )
    # The secret is not kept: no field of the webhook holds it.
    stored = Webhook.objects.filter(pk=registered["id"]).values().get()
    assert registered["secret"] not in json.dumps(stored, default=str)

    listed = _desk(world).get("/api/v1/webhooks/").json()
    assert "secret" not in listed[0]
    assert [
        (d["alert"], d["status"], d["attempts"], d["last_status"]) for d in listed[0]["deliveries"]
    ] == [(alert.pk, "delivered", 1, 200)]


def test_a_receiver_that_fails_once_gets_the_same_delivery_again(world, receiver):
    registered = _register(world, receiver.url)
    receiver.answers = [500, 200]
    _dana_reports_jack_missing(world)

    assert alerts_webhooks.call() == {"sent": 0, "waiting": 1}
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert (delivery.attempts, delivery.last_status, delivery.sent_on) == (1, 500, None)
    listed = _desk(world).get("/api/v1/webhooks/").json()[0]["deliveries"][0]
    assert listed["status"] == "waiting" and listed["last_status"] == 500
    assert listed["next_retry_on"] is not None

    alerts_webhooks.call()  # too soon: it waits for its retry
    assert len(receiver.received) == 1
    with time_machine.travel(delivery.claimed_until + timedelta(seconds=1)):
        assert alerts_webhooks.call() == {"sent": 1, "waiting": 0}

    first, second = receiver.received
    assert first.headers["x-tellonce-delivery"] == second.headers["x-tellonce-delivery"]
    assert first.body == second.body
    assert _signed_rightly(registered["secret"], second)
    delivery.refresh_from_db()
    assert delivery.sent_on is not None and delivery.attempts == 2


def test_a_receiver_that_never_answers_2xx_is_given_up_after_the_last_attempt(
    world, receiver, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    _register(world, receiver.url)
    receiver.answers = [503, 503, 503]
    _dana_reports_jack_missing(world)
    alerts_webhooks.call()
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)
    with time_machine.travel(delivery.claimed_until + timedelta(seconds=1)):
        assert alerts_webhooks.call() == {"sent": 0, "waiting": 0}
    delivery.refresh_from_db()
    assert delivery.failed_on is not None and delivery.attempts == 2
    listed = _desk(world).get("/api/v1/webhooks/").json()[0]["deliveries"][0]
    assert (listed["status"], listed["attempts"], listed["last_status"]) == ("failed", 2, 503)
    assert listed["next_retry_on"] is None


def test_a_dead_receiver_holds_up_no_inbox_and_waits_for_its_retry(world):
    with socket.socket() as spare:  # a port on this machine nobody listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    _register(world, f"http://127.0.0.1:{port}/tellonce")
    _dana_reports_jack_missing(world)

    assert alerts_webhooks.call() == {"sent": 0, "waiting": 1}
    assert inboxes_deliver() > 0
    assert not Delivery.objects.filter(channel=Channel.INBOX, sent_on__isnull=True).exists()
    webhook = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert webhook.sent_on is None and webhook.failed_on is None
    assert webhook.claimed_until is not None and webhook.claimed_until > timezone.now()
    assert webhook.last_status is None and webhook.last_error
    listed = _desk(world).get("/api/v1/webhooks/").json()[0]["deliveries"][0]
    assert listed["status"] == "waiting" and listed["next_retry_on"] is not None


def test_a_stopped_webhook_is_sent_nothing(world, receiver):
    registered = _register(world, receiver.url)
    stopped = _desk(world).post(f"/api/v1/webhooks/{registered['id']}/deactivate/")
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    _dana_reports_jack_missing(world)
    assert alerts_webhooks.call() == {"sent": 0, "waiting": 0}
    assert receiver.received == []
    # Another system cannot stop it: to them it does not exist.
    other = Client(HTTP_AUTHORIZATION=f"Token {world.police_token}")
    assert other.post(f"/api/v1/webhooks/{registered['id']}/deactivate/").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["http://tellonce.example/hook", "http://10.0.0.7/hook", "ftp://127.0.0.1/hook"],
)
def test_plain_http_beyond_this_machine_is_refused_naming_the_url(world, url):
    response = _desk(world).post("/api/v1/webhooks/", {"url": url}, content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["url"]
    assert not Webhook.objects.exists()


def test_http_to_this_machine_is_refused_where_the_setting_does_not_allow_it(world, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    response = _desk(world).post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/hook"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"
    assert "https://" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
    ],
)
def test_an_address_inside_the_machines_network_is_refused(world, url):
    response = _desk(world).post("/api/v1/webhooks/", {"url": url}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"
    assert not Webhook.objects.exists()


def test_https_to_this_machine_is_refused_outside_development(world, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    for url in ("https://127.0.0.1/hook", "https://[::1]/hook", "https://localhost/hook"):
        response = _desk(world).post(
            "/api/v1/webhooks/", {"url": url}, content_type="application/json"
        )
        assert response.status_code == 400, url


def test_a_host_that_now_resolves_to_this_machine_is_not_sent_to(world, receiver, settings):
    _register(world, receiver.url)
    _dana_reports_jack_missing(world)
    # As if the name had been pointed at this machine since it was registered.
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    alerts_webhooks.call()
    assert receiver.received == []
    waiting = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert waiting.sent_on is None and waiting.last_error == "Address refused"


def test_tom_a_person_cannot_register_a_webhook(world, signed_in):
    tom = signed_in(world.tom)
    response = tom.post(
        "/api/v1/webhooks/", {"url": "https://desk.example/hook"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert tom.get("/api/v1/webhooks/").status_code == 403
    assert not Webhook.objects.exists()


def test_adam_the_administrator_sees_the_webhooks_and_their_deliveries_read_only(
    world, receiver, signed_in
):
    from tellonce.accounts.services import administrator_grant

    registered = _register(world, receiver.url)
    receiver.answers = [500]
    _dana_reports_jack_missing(world)
    alerts_webhooks.call()
    administrator_grant(user=world.adam)
    adam = signed_in(world.adam)

    hooks = adam.get("/admin/alerts/webhook/")
    assert hooks.status_code == 200 and receiver.url in hooks.content.decode()
    deliveries = adam.get("/admin/alerts/delivery/").content.decode()
    assert "waiting" in deliveries and "500" in deliveries
    assert "Jack" not in deliveries  # an alert's number, never its words
    assert adam.get("/admin/alerts/webhook/add/").status_code == 403
    change = f"/admin/alerts/webhook/{registered['id']}/change/"
    assert registered["secret"] not in adam.get(change).content.decode()
    assert adam.post(change, {"url": "https://elsewhere.example/"}).status_code == 403
    assert Webhook.objects.get().url == receiver.url


def test_a_dead_receiver_costs_a_round_one_attempt_and_the_others_are_sent_theirs(world, receiver):
    from tellonce.accounts.models import User
    from tellonce.accounts.services import api_token_issue
    from tellonce.audit.services import COMMAND_LINE

    # The desk's system is down (nothing listens); the public protection unit's is up.
    _register(world, "http://127.0.0.1:9/dead")
    police = Client(
        HTTP_AUTHORIZATION="Token "
        + api_token_issue(
            user=User.objects.get(pk=world.police_system.pk), by=None, via=COMMAND_LINE
        )
    )
    assert (
        police.post(
            "/api/v1/webhooks/", {"url": receiver.url}, content_type="application/json"
        ).status_code
        == 201
    )
    from tellonce.alerts.services import alerts_write

    alerts_write(
        [
            Alert(
                kind=AlertKind.MISSING_REPORTED,
                key=f"test:{n}",
                team=team,
                title="A test",
                body="-",
            )
            for n, team in enumerate(
                (world.police_mash, world.police_mash, world.public_protection)
            )
        ]
    )
    alerts_webhooks.call()
    dead = Delivery.objects.filter(channel=Channel.WEBHOOK, alert__team=world.police_mash)
    assert sorted(d.attempts for d in dead) == [0, 1]  # the second was not tried this round
    assert len(receiver.received) == 1
