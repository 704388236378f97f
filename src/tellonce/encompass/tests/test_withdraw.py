"""Tom recorded an incident about the wrong child: he withdraws it with a reason. It is
kept, never deleted; it leaves Dana's inbox, the clock and the figures; everyone told
of it (Dana's team, and after an escalation Hazel and Ed's team) is told it was
withdrawn, without the reason; a second withdrawal is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tellonce.alerts.models import Alert, AlertKind
from tellonce.chronology.models import ChronologyEvent
from tellonce.core.claims import AlreadyDone
from tellonce.encompass import selectors, services
from tellonce.encompass.models import DomesticAbuseIncident
from tellonce.encompass.tests.test_workflow import WEB, WEDNESDAY, record
from tellonce.testing.races import (
    Race,
    one_refused_after_the_other,
    one_wins_at_once,
    postgres_only,
)

pytestmark = pytest.mark.django_db
WRONG_CHILD = "Wrong child: it was his cousin, not Jack."


def test_the_wrong_childs_incident_is_withdrawn_and_everyone_told_is_told(world, encompass):
    notification = record(world)
    incident = notification.incident
    with time_machine.travel(WEDNESDAY + services.ESCALATE_AFTER, tick=False):
        services.encompass_clock_tick()  # chased and escalated: Hazel and Ed's team told
    with pytest.raises(PermissionDenied):
        services.incident_withdraw(user=world.dana, incident=incident, reason=WRONG_CHILD, via=WEB)
    with pytest.raises(PermissionDenied):
        services.incident_withdraw(user=world.olly, incident=incident, reason=WRONG_CHILD, via=WEB)
    with pytest.raises(ValidationError) as short:
        services.incident_withdraw(user=world.tom, incident=incident, reason="oops", via=WEB)
    assert "reason" in short.value.message_dict

    told_before = set(
        Alert.objects.filter(key__startswith=f"encompass:{notification.pk}").values_list(
            "team_id", "user_id"
        )
    )
    services.incident_withdraw(user=world.tom, incident=incident, reason=WRONG_CHILD, via=WEB)

    kept = DomesticAbuseIncident.all_objects.get(pk=incident.pk)
    assert (kept.archived_by, kept.archive_reason) == (world.tom, WRONG_CHILD)
    assert not DomesticAbuseIncident.objects.filter(pk=incident.pk).exists()
    withdrawn = Alert.objects.filter(kind=AlertKind.ENCOMPASS_WITHDRAWN)
    assert set(withdrawn.values_list("team_id", "user_id")) == told_before
    assert {world.oakfield_dsl.pk, world.education_mash.pk} <= {a.team_id for a in withdrawn}
    assert all(WRONG_CHILD not in a.body and "Jack" not in a.body for a in withdrawn)
    assert all(a.person_id is None for a in withdrawn)
    # It leaves Dana's inbox, the figures, Jack's chronology; the clock never fires again.
    assert not selectors.notifications_for_team(user=world.dana).exists()
    assert selectors.figures(user=world.ana)["incidents"] == 0
    assert selectors.figures(user=world.ana)["school_notifications"] == 0
    assert not ChronologyEvent.objects.filter(
        person=world.jack, kind__in=["encompass", "domestic_abuse"]
    ).exists()
    # Acknowledging it now is refused, saying why.
    notification.refresh_from_db()
    with pytest.raises(AlreadyDone):
        services.notification_acknowledge(user=world.dana, notification=notification, via=WEB)


def test_an_unacknowledged_withdrawn_notification_is_never_chased(world, encompass):
    notification = record(world)
    services.incident_withdraw(
        user=world.tom, incident=notification.incident, reason=WRONG_CHILD, via=WEB
    )
    with time_machine.travel(WEDNESDAY + timedelta(hours=6), tick=False):
        tick = services.encompass_clock_tick()
    assert (tick.chased, tick.escalated) == (0, 0)
    assert not Alert.objects.filter(kind=AlertKind.ENCOMPASS_CHASE).exists()


def test_the_police_system_withdraws_its_forces_incident(world, encompass):
    notification = record(world)
    services.incident_withdraw(
        user=world.police_system, incident=notification.incident, reason=WRONG_CHILD, via=WEB
    )
    assert Alert.objects.filter(kind=AlertKind.ENCOMPASS_WITHDRAWN).count() == 1


RACE = Race(
    prepare=lambda world: record(world).incident_id,
    load=lambda pk: DomesticAbuseIncident.objects.get(pk=pk),
    first=lambda world, incident: services.incident_withdraw(
        user=world.tom, incident=incident, reason=WRONG_CHILD, via=WEB
    ),
    second=lambda world, incident: services.incident_withdraw(
        user=world.police_system, incident=incident, reason=WRONG_CHILD, via=WEB
    ),
    written=lambda world: (
        DomesticAbuseIncident.all_objects.filter(archived_on__isnull=False).count(),
        Alert.objects.filter(kind=AlertKind.ENCOMPASS_WITHDRAWN).count(),
    ),
)


def test_a_second_withdrawal_is_refused_and_nobody_is_told_twice(world, encompass):
    refused = one_refused_after_the_other(world, RACE)
    assert refused.message_dict["reason"] == ["This incident has already been withdrawn"]


RACE_AT_ONCE = Race(
    prepare=lambda story: record(story[0]).incident_id,
    load=lambda pk: DomesticAbuseIncident.objects.get(pk=pk),
    first=lambda story, incident: services.incident_withdraw(
        user=story[0].tom, incident=incident, reason=WRONG_CHILD, via=WEB
    ),
    second=lambda story, incident: services.incident_withdraw(
        user=story[0].police_system, incident=incident, reason=WRONG_CHILD, via=WEB
    ),
    written=lambda story: (
        DomesticAbuseIncident.all_objects.filter(archived_on__isnull=False).count(),
        Alert.objects.filter(kind=AlertKind.ENCOMPASS_WITHDRAWN).count(),
    ),
)


@postgres_only
def test_two_withdrawing_at_the_same_moment_withdraw_once(committed_world, committed_encompass):
    one_wins_at_once((committed_world, committed_encompass), RACE_AT_ONCE)


def test_the_police_system_withdraws_through_the_api_once_and_the_school_cannot(world, encompass):
    notification = record(world)
    url = f"/api/v1/encompass/incidents/{notification.incident_id}/withdraw/"
    police = Client(HTTP_AUTHORIZATION=f"Token {world.police_token}")
    school = Client(HTTP_AUTHORIZATION=f"Token {world.school_token}")

    too_short = police.post(url, {"reason": "wrong"}, content_type="application/json")
    assert too_short.status_code == 400
    assert too_short.json()["errors"][0]["field"] == "reason"
    assert (
        school.post(url, {"reason": WRONG_CHILD}, content_type="application/json").status_code
        == 404
    )
    assert DomesticAbuseIncident.objects.filter(pk=notification.incident_id).exists()

    done = police.post(url, {"reason": WRONG_CHILD}, content_type="application/json")
    assert done.status_code == 204
    assert not DomesticAbuseIncident.objects.filter(pk=notification.incident_id).exists()
    again = police.post(url, {"reason": WRONG_CHILD}, content_type="application/json")
    assert again.status_code == 409
    assert "already been withdrawn" in again.json()["errors"][0]["message"]
    assert Alert.objects.filter(kind=AlertKind.ENCOMPASS_WITHDRAWN).count() == 1
    # The school's system no longer finds the notification in its list.
    listed = school.get("/api/v1/encompass/notifications/").json()
    assert notification.pk not in [row["id"] for row in listed]


def test_tom_withdraws_through_the_page_and_danas_notification_says_so(world, encompass, signed_in):
    notification = record(world)
    page = f"/encompass/incidents/{notification.incident_id}/"
    # Olly, of the same force, reads the page but is not offered, nor allowed, to withdraw.
    olly = signed_in(world.olly)
    assert "Withdraw this incident" not in olly.get(page).content.decode()
    assert olly.post(page + "withdraw/", {"reason": WRONG_CHILD}).status_code == 403
    tom = signed_in(world.tom)
    shown = tom.get(page).content.decode()
    assert "Jack Taylor" in shown and "Withdraw this incident" in shown

    refused = tom.post(page + "withdraw/", {"reason": "oops"}).content.decode()
    assert 'id="id_reason-error"' in refused
    assert DomesticAbuseIncident.objects.filter(pk=notification.incident_id).exists()
    done = tom.post(page + "withdraw/", {"reason": WRONG_CHILD}, follow=True)
    assert done.redirect_chain == [(page, 302)]
    after = done.content.decode()
    assert "Withdrawn: recorded in error" in after and WRONG_CHILD in after
    assert "Withdraw this incident" not in after
    again = tom.get(page + "withdraw/", follow=True).content.decode()
    assert "already been withdrawn" in again

    dana = signed_in(world.dana)
    seen = dana.get(f"/encompass/notifications/{notification.pk}/").content.decode()
    assert "Withdrawn: the police recorded this incident in error" in seen
    assert "Acknowledge receipt" not in seen and "Not acknowledged" not in seen
    assert WRONG_CHILD not in seen
