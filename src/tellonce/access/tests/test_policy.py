"""Edges of need-to-know: ended, archived and other teams' involvements."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tellonce.access.policy import Basis, Level, access_for
from tellonce.organisations.models import Role
from tellonce.testing.factories import InvolvementFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_access_lasts_the_grace_period_after_an_involvement_ends(settings):
    settings.INVOLVEMENT_ACCESS_GRACE_DAYS = 30
    involvement = InvolvementFactory(ended_on=date.today() - timedelta(days=29))
    worker = UserFactory(team=involvement.team)
    assert access_for(worker, involvement.person).basis == Basis.INVOLVED
    involvement.ended_on = date.today() - timedelta(days=31)
    involvement.save()
    assert access_for(worker, involvement.person).level == Level.FLAG


def test_an_archived_involvement_gives_no_access():
    involvement = InvolvementFactory()
    worker = UserFactory(team=involvement.team)
    involvement.archived_on = timezone.now()
    involvement.archive_reason = "Recorded against the wrong child"
    involvement.save()
    assert access_for(worker, involvement.person).level == Level.FLAG


def test_another_team_in_the_same_agency_sees_only_the_flag():
    involvement = InvolvementFactory()
    colleague = UserFactory(team=TeamFactory(agency=involvement.team.agency))
    assert access_for(colleague, involvement.person).level == Level.FLAG


def test_a_system_account_sees_what_any_team_of_its_agency_works_with():
    involvement = InvolvementFactory()
    system = UserFactory(team=TeamFactory(agency=involvement.team.agency), is_system_account=True)
    assert access_for(system, involvement.person).basis == Basis.AGENCY_INVOLVED


def test_an_analyst_with_a_casework_role_too_can_work_cases():
    involvement = InvolvementFactory()
    both = UserFactory(team=involvement.team, roles=[Role.PARTNERSHIP_ANALYST, Role.PRACTITIONER])
    only = UserFactory(team=involvement.team, roles=[Role.PARTNERSHIP_ANALYST])
    assert access_for(both, involvement.person).is_full
    assert access_for(only, involvement.person).level == Level.NONE


def test_a_break_glass_reason_must_say_something_and_the_managers_hear_at_once(
    world, signed_in, settings
):
    # Finding 7: forty "a"s gave four hours of full access, seen only by those who looked.
    from tellonce.alerts.models import Alert, AlertKind

    settings.RATE_BREAK_GLASS = "10/h"
    erin = signed_in(world.erin)
    url = f"/people/{world.amir.pk}/break-glass/"
    for said in ("a" * 40, "check check check check check", "aaaa bbbb cccc dddd"):
        page = erin.post(url, {"reason": said}).content.decode()
        assert "in words a manager can check" in page, said
    erin.post(url, {"reason": "His mother rang early help in crisis; I must check the risk now"})
    told = Alert.objects.get(kind=AlertKind.BREAK_GLASS)
    assert told.user == world.maria and "Erin Cole broke the glass on Amir Hassan" in told.title
    assert "mother rang early help" in told.body


def test_searching_too_fast_is_refused_on_the_page_and_the_api(world, signed_in, settings):
    settings.RATE_SEARCH = "2/m"
    tom = signed_in(world.tom)
    query = {"family_name": "Taylor", "given_name": "Jack"}
    assert tom.post("/people/search/", query).status_code == 200
    assert (
        tom.post("/api/v1/people/search/", query, content_type="application/json").status_code
        == 200
    )
    page = tom.post("/people/search/", query)
    assert page.status_code == 429 and "Too many requests" in page.content.decode()
    api = tom.post("/api/v1/people/search/", query, content_type="application/json")
    assert api.status_code == 429
    assert "searched too often" in api.json()["errors"][0]["message"]


def test_signing_in_is_limited_per_address(world, client, settings):
    settings.RATE_SIGN_IN_ADDRESS = "3/h"
    for name in ("sam", "tom", "dana"):
        client.post("/sign-in/", {"username": name, "password": "wrong-guess-1"})
    assert client.post("/sign-in/", {"username": "erin", "password": "x"}).status_code == 429


def test_breaking_the_glass_again_and_again_is_refused(world, signed_in, settings):
    settings.RATE_BREAK_GLASS = "1/h"
    erin = signed_in(world.erin)
    reason = {"reason": "His mother rang early help in crisis; I must check the risk now"}
    assert erin.post(f"/people/{world.amir.pk}/break-glass/", reason).status_code == 302
    again = erin.post(f"/people/{world.kerry.pk}/break-glass/", reason)
    assert again.status_code == 429
