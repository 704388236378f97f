"""When Erin from early help starts working with Jack, everyone already working with
Jack and his household is told, and so is Erin: in their inbox and by an email that
names no one; each alert exactly once, written with the involvement or not at all."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind, Channel, Delivery
from tellonce.alerts.services import deliveries_send
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.involvements.services import involvement_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_lead_notices_aside(settings):
    """Early help working with Jack beside his school, with nobody leading, is also
    noticed as such (`earlyhelp.services.no_lead_check`, its own tests): set aside here,
    where what is counted is who is told of the involvement itself."""
    settings.EARLY_HELP_NO_LEAD_AGENCIES = 99


def _erin_starts_with_jack(world, **extra) -> Involvement:
    # From the council's early help system: it counts at once (decision 0008).
    return involvement_start(
        person=world.jack,
        team=world.early_help,
        practitioner=world.erin,
        capacity=Capacity.EARLY_HELP,
        started_on=date(2026, 11, 30),
        source_agency=world.council,
        source_system="Early help module",
        **{"confirmation": Confirmation.SYSTEM_OF_RECORD, **extra},
    )


@pytest.fixture
def started(world, django_capture_on_commit_callbacks) -> Involvement:
    # Tests run tasks at once: the worker's delivery runs when the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        return _erin_starts_with_jack(world)


def _inbox(client: Client) -> str:
    return client.get(reverse("alerts:inbox")).content.decode()


def test_dana_at_jacks_school_is_told_erin_is_now_involved(world, started, signed_in):
    alert = Alert.objects.get(kind=AlertKind.NOW_INVOLVED, team=world.oakfield_dsl)
    assert alert.user == world.dana and alert.delivered_on is not None
    assert alert.title == "Northbrook Council is now involved with Jack Taylor"
    assert "Early help team (Northbrook Council) started working with Jack Taylor" in alert.body
    assert "in early help, on 30 November 2026" in alert.body
    assert "Erin Cole, Early help team" in alert.body and world.early_help.phone in alert.body
    assert "You are told because you work with them." in alert.body

    page = _inbox(signed_in(world.dana))
    assert alert.title in page and "1</strong> unread" in page


def test_priya_is_told_because_she_works_with_jacks_household(world, started):
    alert = Alert.objects.get(kind=AlertKind.NOW_INVOLVED, team=world.health_visiting)
    assert alert.user == world.priya
    assert (
        "You are told because you work with Lily Taylor and Kerry Taylor, who live with them."
        in alert.body
    )


def test_erin_is_told_who_was_already_there_and_that_no_one_leads(world, started):
    alert = Alert.objects.get(kind=AlertKind.ALREADY_INVOLVED)
    assert (alert.team, alert.user) == (world.early_help, world.erin)
    assert "- School with Jack Taylor since" in alert.body
    assert "Dana Whyte, Designated safeguarding lead, Oakfield Primary School" in alert.body
    assert "Health visiting with Lily Taylor" in alert.body
    assert "Health visiting with Kerry Taylor" in alert.body
    assert "No lead professional is recorded for the child or their household." in alert.body


def test_while_no_one_has_confirmed_it_erin_hears_only_who_works_with_jack(
    world, django_capture_on_commit_callbacks
):
    # Erin says so herself: until a manager confirms it, it opens nothing, and Erin is
    # told no more than Jack's flag shows (his own workers, not his household's).
    with django_capture_on_commit_callbacks(execute=True):
        _erin_starts_with_jack(world, confirmation=Confirmation.AWAITING)
    alert = Alert.objects.get(kind=AlertKind.ALREADY_INVOLVED)
    assert alert.title == "Others already work with Jack Taylor"
    assert "- School with Jack Taylor since" in alert.body
    assert "Lily" not in alert.body and "Kerry" not in alert.body
    assert "No lead professional is recorded for the child." in alert.body
    assert "once a manager confirms your team's work with them" in alert.body
    told = Alert.objects.get(kind=AlertKind.NOW_INVOLVED, team=world.oakfield_dsl)
    assert "on 30 November 2026 (so they say: a manager is yet to confirm it)" in told.body


def test_alerts_say_who_to_contact_never_what_any_record_holds(world, started):
    for alert in Alert.objects.all():
        text = alert.title + alert.body
        for secret in ("9434765919", "Q801200110001", "Alder House", "NB1 4QT", "Barnes"):
            assert secret not in text


def test_each_alert_is_emailed_once_and_the_email_names_no_one(world, started):
    emailed = Delivery.objects.filter(channel=Channel.EMAIL)
    assert emailed.count() == Alert.objects.count() == 3
    assert all(d.sent_on is not None for d in emailed)
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {
        world.oakfield_dsl.email,
        world.health_visiting.email,
        world.early_help.email,
    }
    for message in mail.outbox:
        assert "Jack" not in message.body + message.subject
        assert "/alerts/" in message.body
    # Delivering again sends nothing more.
    assert deliveries_send() == 0
    assert len(mail.outbox) == 3


def test_recording_the_same_start_again_alerts_no_one_twice(world, started):
    from tellonce.involvements.services import involvement_started_alerts

    involvement_started_alerts(started)
    assert Alert.objects.count() == 3
    assert Delivery.objects.count() == 6


def test_no_involvement_no_alerts_the_outbox_is_in_the_same_transaction(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        _erin_starts_with_jack(world)
        raise RuntimeError("the request failed after the involvement was written")
    assert not Involvement.objects.filter(team=world.early_help).exists()
    assert not Alert.objects.exists() and not Delivery.objects.exists()


def test_an_alert_is_not_in_the_inbox_until_the_worker_delivers_it(world, signed_in):
    _erin_starts_with_jack(world)  # committed callbacks not run: no worker yet
    alert = Alert.objects.get(team=world.oakfield_dsl)
    assert alert.delivered_on is None
    assert alert.title not in _inbox(signed_in(world.dana))
    assert deliveries_send() == 6
    assert alert.title in _inbox(signed_in(world.dana))


def test_a_delivery_held_by_a_worker_that_died_is_taken_over_after_its_lease(world):
    _erin_starts_with_jack(world)
    held = Delivery.objects.filter(channel=Channel.INBOX).first()
    # Another worker claimed it a moment ago, and then died.
    Delivery.objects.filter(pk=held.pk).update(
        claimed_until=timezone.now() + timedelta(seconds=30), attempts=1
    )
    deliveries_send()
    held.refresh_from_db()
    assert held.sent_on is None and held.alert.delivered_on is None
    Delivery.objects.filter(pk=held.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    deliveries_send()
    held.refresh_from_db()
    assert held.sent_on is not None and held.attempts == 2
    assert Alert.objects.filter(delivered_on__isnull=False).count() == 3


def test_an_email_that_fails_is_kept_and_tried_again(world, settings):
    settings.EMAIL_BACKEND = "tellonce.testing.email.FailingBackend"
    _erin_starts_with_jack(world)
    deliveries_send()
    failed = Delivery.objects.filter(channel=Channel.EMAIL)
    assert all(d.sent_on is None and d.last_error == "ConnectionRefusedError" for d in failed)
    assert all(d.claimed_until > timezone.now() for d in failed)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed.update(claimed_until=timezone.now() - timedelta(seconds=1))
    deliveries_send()
    assert len(mail.outbox) == 3
    assert not Delivery.objects.filter(sent_on__isnull=True).exists()


def test_tom_in_the_police_sees_none_of_it(world, started, signed_in):
    tom = signed_in(world.tom)
    assert "You have no alerts." in _inbox(tom)
    alert = Alert.objects.get(team=world.oakfield_dsl)
    assert tom.get(reverse("alerts:alert", args=[alert.pk])).status_code == 404


def test_opening_an_alert_marks_it_read(world, started, signed_in):
    dana = signed_in(world.dana)
    alert = Alert.objects.get(team=world.oakfield_dsl)
    page = dana.get(reverse("alerts:alert", args=[alert.pk])).content.decode()
    assert "Erin Cole, Early help team" in page
    alert.refresh_from_db()
    assert alert.read_on is not None and alert.read_by == world.dana
    assert "You have 1 unread" not in dana.get(reverse("home:home")).content.decode()


def test_the_school_system_reads_its_alerts_through_the_api(world, started):
    client = Client(HTTP_AUTHORIZATION=f"Token {world.school_token}")
    alerts = client.get("/api/v1/alerts/?unread=true").json()
    assert [a["title"] for a in alerts] == ["Northbrook Council is now involved with Jack Taylor"]
    assert alerts[0]["practitioner"] == "Dana Whyte"
    read = client.post(f"/api/v1/alerts/{alerts[0]['id']}/read/").json()
    assert read["read_on"] is not None
    assert client.get("/api/v1/alerts/?unread=true").json() == []
    police = Client(HTTP_AUTHORIZATION=f"Token {world.police_token}")
    assert police.get("/api/v1/alerts/").json() == []
    assert police.post(f"/api/v1/alerts/{alerts[0]['id']}/read/").status_code == 404


def test_an_involvement_reported_in_a_feed_alerts_too(world, django_capture_on_commit_callbacks):
    from tellonce.feeds.services import reported_involvements_materialise
    from tellonce.feeds.tests.test_api_records import AMIR, send, system

    with django_capture_on_commit_callbacks(execute=True):
        send(system(world.police_token), AMIR)
    # Amir's police record is not linked (no model): nothing to tell anyone yet.
    assert not Alert.objects.exists()
    from tellonce.people.models import AgencyRecord

    record = AgencyRecord.objects.get(local_id="N1001")
    record.person = world.amir
    record.save()
    with django_capture_on_commit_callbacks(execute=True):
        reported_involvements_materialise(agency_record=record)
    told = Alert.objects.get(kind=AlertKind.NOW_INVOLVED)
    assert told.team == world.mash and told.delivered_on is not None


def test_an_alert_without_a_team_is_refused_not_dropped_in_silence(world):
    # On SQLite "ignore conflicts" would also ignore a missing team: the outbox refuses it.
    from tellonce.alerts.models import Alert as Stored
    from tellonce.alerts.services import alerts_write

    with pytest.raises(ValueError, match="needs a team"):
        alerts_write([Stored(kind=AlertKind.CP_IS, key="x:1", title="For nobody")])
