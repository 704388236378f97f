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
