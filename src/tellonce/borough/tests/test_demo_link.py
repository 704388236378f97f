"""`tellonce seed --link` (what `make demo` runs): the borough linked by a trained
model, and a family new to TellOnce arriving through the school's, housing's and health
visiting's own systems, one household, each team told of the others."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings
from pytest_django import DjangoDbBlocker

from tellonce.accounts.models import User
from tellonce.alerts.models import Alert, AlertKind
from tellonce.linkage.models import LinkageModel, LinkRun
from tellonce.people.models import AgencyRecord
from tellonce.people.selectors import household_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, tmp_path_factory
) -> Iterator[str]:
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=tmp_path_factory.mktemp("var")),
        transaction.atomic(),
    ):
        out = io.StringIO()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command(
                "seed", children=400, seed=11, as_of=date(2026, 3, 2), link=True, stdout=out
            )
        yield out.getvalue()
        transaction.set_rollback(True)


def _person(local_id: str):
    return AgencyRecord.objects.get(local_id=local_id).person


def test_the_demo_is_linked_by_a_trained_model(seeded: str) -> None:
    assert LinkageModel.objects.filter(is_active=True).count() == 1
    assert LinkRun.objects.count() == 1
    assert "Linkage model 1 trained" in seeded and "into persons" in seeded


def test_a_new_family_arrives_as_one_household_and_each_team_hears_of_the_others(
    seeded: str,
) -> None:
    assert "A family new to TellOnce arrived" in seeded
    pupil, mother = _person("UPN-OD-1"), _person("TA-OD-K")
    assert _person("UPN-OD-1#contact-1") == mother == _person("HV-OD-K")
    assert _person("TA-OD-L") == _person("HV-OD-L")
    assert {p.pk for p in household_of(pupil)} == {
        mother.pk,
        _person("TA-OD-L").pk,
        _person("TA-OD-M").pk,
    }
    school = User.objects.get(username="dana.dsl").team
    visiting = User.objects.get(username="priya.visitor").team
    housing = User.objects.get(username="housing-system").team
    for to, others in ((school, [housing, visiting]), (visiting, [school, housing])):
        for other in others:
            told = (
                Alert.objects.filter(
                    team=to, kind=AlertKind.NOW_INVOLVED, involvement__team=other
                ).exists()
                or Alert.objects.filter(
                    team=to, kind=AlertKind.ALREADY_INVOLVED, body__contains=other.name
                ).exists()
            )
            assert told, f"{to} was not told of {other}"


def test_seeding_again_links_nothing_more_and_the_family_arrives_once(seeded: str) -> None:
    records = AgencyRecord.objects.count()
    out = io.StringIO()
    call_command("seed", children=400, seed=11, as_of=date(2026, 3, 2), link=True, stdout=out)
    assert AgencyRecord.objects.count() == records
    assert LinkageModel.objects.count() == 1 and LinkRun.objects.count() == 1
    assert "A family new to TellOnce arrived" not in out.getvalue()
