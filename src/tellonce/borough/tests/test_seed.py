"""The synthetic borough: a small Northbrook is seeded once for this module (inside a
transaction rolled back at the end), and each test says one thing it must be true of.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F
from django.test import TestCase, override_settings
from pytest_django import DjangoDbBlocker

from tellonce.accounts.models import User
from tellonce.borough import demo
from tellonce.borough.generator import COLUMNS, Borough, generate
from tellonce.borough.models import SeedRun
from tellonce.borough.organisations import Partnership, partnership_ensure
from tellonce.involvements.models import Involvement
from tellonce.involvements.services import TELLONCE_SYSTEM
from tellonce.organisations.models import NO_CASEWORK_ROLES, Role
from tellonce.people import identifiers
from tellonce.people.models import (
    AgencyRecord,
    LinkMethod,
    NameKind,
    Person,
    PersonIdentifier,
    PersonName,
    Relationship,
    RelationshipKind,
    Residence,
)

CHILDREN = 300
SEED = 7
AS_OF = date(2026, 3, 2)

pytestmark = pytest.mark.django_db


@dataclass
class Seeded:
    stdout: str
    var_dir: Path
    partnership: Partnership


@pytest.fixture(scope="module")
def seeded(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Seeded]:
    """Northbrook with 300 children, seeded by the command as a user would."""
    var_dir = tmp_path_factory.mktemp("var")
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=var_dir),
        transaction.atomic(),
    ):
        out = io.StringIO()
        # The ground truth is moved into place when the seed commits.
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed", children=CHILDREN, seed=SEED, as_of=AS_OF, stdout=out)
        yield Seeded(stdout=out.getvalue(), var_dir=var_dir, partnership=partnership_ensure())
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def big_borough(seeded: Seeded) -> Borough:
    """A larger borough, generated in memory only: rare recording errors show up."""
    return generate(seeded.partnership, children=3000, seed=SEED, as_of=AS_OF)


def _rows(borough: Borough, label: str) -> list[dict[str, object]]:
    columns = COLUMNS[label]
    return [dict(zip(columns, row, strict=True)) for row in borough.rows[label]]


# ----- the same borough every time


def test_the_same_seed_makes_the_same_borough_to_the_last_uuid(seeded: Seeded) -> None:
    first = generate(seeded.partnership, children=CHILDREN, seed=SEED, as_of=AS_OF)
    second = generate(seeded.partnership, children=CHILDREN, seed=SEED, as_of=AS_OF)

    assert first.rows == second.rows
    assert first.ground_truth == second.ground_truth
    assert first.summary == second.summary


def test_the_seeded_database_holds_exactly_what_the_generator_makes(seeded: Seeded) -> None:
    borough = generate(seeded.partnership, children=CHILDREN, seed=SEED, as_of=AS_OF)

    people = {str(row[0]) for row in borough.rows["people.Person"]}
    assert people == {str(pk) for pk in Person.objects.values_list("id", flat=True)}
    truth = _ground_truth(seeded)
    assert truth == {tuple(row) for row in borough.ground_truth}


def test_another_seed_makes_another_borough(seeded: Seeded) -> None:
    one = generate(seeded.partnership, children=CHILDREN, seed=SEED, as_of=AS_OF)
    other = generate(seeded.partnership, children=CHILDREN, seed=SEED + 1, as_of=AS_OF)

    assert {r[0] for r in one.rows["people.Person"]}.isdisjoint(
        r[0] for r in other.rows["people.Person"]
    )


def test_the_borough_has_the_children_asked_for(seeded: Seeded) -> None:
    run = SeedRun.objects.get()

    assert run.counts["summary"]["children"] == CHILDREN
    assert (
        Person.objects.filter(
            date_of_birth__gt=date(AS_OF.year - 18, AS_OF.month, AS_OF.day)
        ).count()
        == CHILDREN
    )


# ----- seeding again


def test_seeding_the_same_borough_again_changes_nothing(seeded: Seeded) -> None:
    before = {label: _count(label) for label in COLUMNS}
    out = io.StringIO()

    call_command("seed", children=CHILDREN, seed=SEED, stdout=out)

    assert "already seeded" in out.getvalue()
    assert "sam.mash" in out.getvalue()
    assert {label: _count(label) for label in COLUMNS} == before
    assert SeedRun.objects.count() == 1


def test_seeding_a_different_borough_is_refused_with_the_way_out(seeded: Seeded) -> None:
    with pytest.raises(CommandError, match="make clean-demo"):
        call_command("seed", children=CHILDREN + 1, seed=SEED, stdout=io.StringIO())


# ----- families


def test_twins_are_two_people_with_one_birthday_surname_and_home(seeded: Seeded) -> None:
    twins = Relationship.objects.filter(
        kind=RelationshipKind.SIBLING,
        person__date_of_birth=F("relative__date_of_birth"),
    ).select_related("person", "relative")

    assert twins.exists()
    for pair in twins:
        elder, younger = pair.person, pair.relative
        assert elder.pk != younger.pk
        assert elder.given_name != younger.given_name
        assert elder.family_name == younger.family_name
        assert _home(elder) == _home(younger)


def test_step_families_have_step_parents_half_siblings_and_renamed_children(
    big_borough: Borough,
) -> None:
    kinds = Counter(row["kind"] for row in _rows(big_borough, "people.Relationship"))
    names = _rows(big_borough, "people.PersonName")
    birth_names = {row["person_id"]: row for row in names if row["kind"] == NameKind.BIRTH}
    current = {row["person_id"]: row for row in names if row["kind"] == NameKind.CURRENT}

    assert kinds[RelationshipKind.STEP_FATHER] > 0
    assert kinds[RelationshipKind.HALF_SIBLING] > 0
    assert big_borough.summary["surname_changes_children"] > 0
    assert birth_names
    for person_id, birth in birth_names.items():
        assert birth["used_until"] is not None
        assert birth["family_name"] != current[person_id]["family_name"]
        assert current[person_id]["used_from"] == birth["used_until"]


def test_step_family_children_in_the_database_have_a_birth_name(seeded: Seeded) -> None:
    assert Relationship.objects.filter(kind=RelationshipKind.STEP_FATHER).exists()
    renamed = PersonName.objects.filter(kind=NameKind.BIRTH, used_until__isnull=False)
    assert renamed.exists()
    assert all(n.family_name_norm and n.family_name_sound for n in renamed)


def test_some_families_moved_and_their_old_home_is_kept(seeded: Seeded) -> None:
    moved = Residence.objects.filter(moved_out__isnull=False)

    assert moved.exists()
    for residence in moved:
        assert residence.moved_in is None or residence.moved_in <= residence.moved_out
        assert residence.person.residences.filter(moved_out__isnull=True).exists()


# ----- identifiers and records


def test_every_nhs_number_and_upn_validates(seeded: Seeded) -> None:
    checked = Counter()
    for scheme, value in PersonIdentifier.objects.values_list("scheme", "value"):
        assert identifiers.normalise(scheme, value) == value
        checked[scheme] += 1
    for nhs, upn in AgencyRecord.objects.values_list("nhs_number", "upn"):
        if nhs:
            identifiers.normalise_nhs_number(nhs)
        if upn:
            identifiers.normalise_upn(upn)

    assert checked["nhs"] > CHILDREN
    assert checked["upn"] > CHILDREN / 2
    assert all(value.startswith("999") for value in _values("nhs"))


def test_ground_truth_names_the_person_behind_every_agency_record(seeded: Seeded) -> None:
    truth = _ground_truth(seeded)
    records = {
        (code, system, local_id, str(person_id))
        for code, system, local_id, person_id in AgencyRecord.objects.values_list(
            "agency__code", "system", "local_id", "person_id"
        )
    }

    assert truth == records
    assert not AgencyRecord.objects.exclude(link_method=LinkMethod.SEED_TRUTH).exists()
    assert not Person.objects.filter(agency_records__isnull=True).exists()


def test_agency_records_carry_the_errors_real_records_have(big_borough: Borough) -> None:
    people = {row["id"]: row for row in _rows(big_borough, "people.Person")}
    birth = {
        row["person_id"]: row["family_name"]
        for row in _rows(big_borough, "people.PersonName")
        if row["kind"] == NameKind.BIRTH
    }
    seen: Counter[str] = Counter()
    for record in _rows(big_borough, "people.AgencyRecord"):
        person = people[record["person_id"]]
        true_dob = person["date_of_birth"]
        dob = record["date_of_birth"]
        assert isinstance(true_dob, date)
        if dob is None:
            seen["dob_missing"] += 1
        elif dob != true_dob and isinstance(dob, date):
            if (dob.day, dob.month) == (true_dob.month, true_dob.day):
                seen["day_month_swapped"] += 1
            else:
                seen["dob_off"] += 1
        if record["family_name"] == birth.get(record["person_id"]):
            seen["birth_surname"] += 1
        if "-" in str(person["family_name"]) and record["family_name"] in str(
            person["family_name"]
        ).split("-"):
            seen["hyphen_split"] += 1
        if record["given_name"] != person["given_name"]:
            seen["given_name_differs"] += 1
        if not record["postcode"]:
            seen["postcode_missing"] += 1

    assert set(seen) == {
        "dob_missing",
        "day_month_swapped",
        "dob_off",
        "birth_surname",
        "hyphen_split",
        "given_name_differs",
        "postcode_missing",
    }
    errors = big_borough.summary["record_errors"]
    for kind in (
        "typo_transposed",
        "typo_dropped",
        "typo_doubled",
        "nickname",
        "transliteration",
        "old_address",
        "nhs_missing",
    ):
        assert errors.get(kind, 0) > 0, kind


def test_every_fact_says_where_it_came_from(seeded: Seeded) -> None:
    for model in (Person, PersonName, PersonIdentifier, Residence, Relationship, Involvement):
        facts = model.objects.all()
        assert facts.exists()
        assert not facts.filter(source_system="").exists(), model
        # Facts an agency sent name the record they were read from; the few made in
        # TellOnce itself (the MASH enquiries of the MASH's open cases) say so instead.
        sent = facts.exclude(source_system=TELLONCE_SYSTEM)
        assert not sent.filter(source_record__isnull=True).exists(), model


# ----- demo logins


def test_every_role_has_a_demo_login(seeded: Seeded) -> None:
    for role in Role:
        user = User.objects.filter(roles__role=role).order_by("pk").first()
        assert user is not None, role
        assert user.is_demo_account
        assert user.check_password(demo.DEMO_PASSWORD)
        assert not user.is_superuser

    assert User.objects.get(username="adam.admin").is_staff


def test_each_casework_demo_user_sees_children_through_their_team(seeded: Seeded) -> None:
    # The emergency duty team and the return interview service work episode by episode
    # (a missing child tonight), not through standing involvements.
    episodic = {"eddie.edt", "rita.rhi"}
    for user in User.objects.filter(is_demo_account=True, is_system_account=False):
        if user.role_set <= NO_CASEWORK_ROLES or user.username in episodic:
            continue
        assert Involvement.objects.filter(team=user.team).current().exists(), user.username


def test_the_police_system_account_has_a_token_and_it_is_printed(seeded: Seeded) -> None:
    police = User.objects.get(username="police-system")

    assert police.is_system_account
    assert police.team is not None and police.team.name == "Public protection unit"
    from tellonce.accounts.services import api_token_user

    printed = re.search(r"police-system: (\w+)", seeded.stdout)
    assert printed is not None
    # Kept only as a hash: the printed token opens the police system's account.
    assert api_token_user(printed.group(1))[0] == police  # type: ignore[index]


def test_the_mash_partners_desks_have_system_accounts_with_tokens(seeded: Seeded) -> None:
    from tellonce.accounts.services import api_token_user

    for username, team in (
        ("police-mash-system", "Police MASH desk"),
        ("health-mash-system", "Health MASH team"),
    ):
        system = User.objects.get(username=username)
        assert system.is_system_account and system.team is not None
        assert system.team.name == team
        printed = re.search(rf"{username}: (\w+)", seeded.stdout)
        assert printed is not None
        assert api_token_user(printed.group(1))[0] == system  # type: ignore[index]


# ----- no personal data leaves the command


def test_the_command_prints_no_names_dates_of_birth_or_identifiers(seeded: Seeded) -> None:
    out = seeded.stdout
    leaked = []
    for given, family, dob in Person.objects.values_list(
        "given_name", "family_name", "date_of_birth"
    ):
        if f"{given} {family}" in out or (
            dob and (dob.isoformat() in out or f"{dob:%d/%m/%Y}" in out)
        ):
            leaked.append("person")
    for value in PersonIdentifier.objects.values_list("value", flat=True):
        if value in out:
            leaked.append("identifier")

    assert leaked == []
    assert "demo" in out and "http://127.0.0.1:8000" in out


def test_the_summary_beside_the_ground_truth_is_counts_only(seeded: Seeded) -> None:
    summary = json.loads((seeded.var_dir / "seed" / "summary.json").read_text())

    assert summary["children"] == CHILDREN
    assert summary["twin_pairs"] >= 0
    assert not re.search(r"\d{4}-\d{2}-\d{2}", json.dumps(summary).replace(AS_OF.isoformat(), ""))


# ----- helpers


def _count(label: str) -> int:
    return apps.get_model(label).objects.count()


def _values(scheme: str) -> list[str]:
    return list(PersonIdentifier.objects.filter(scheme=scheme).values_list("value", flat=True))


def _home(person: Person) -> int | None:
    residence = person.residences.filter(moved_out__isnull=True).first()
    return residence.address_id if residence else None


def _ground_truth(seeded: Seeded) -> set[tuple[str, ...]]:
    with (seeded.var_dir / "seed" / "ground_truth.csv").open(newline="") as handle:
        reader = csv.reader(handle)
        assert next(reader) == ["agency_code", "system", "local_id", "person_id"]
        return {tuple(row) for row in reader}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--children", "-1"], "argument --children: must be 1 or more, not -1"),
        (["--children", "lots"], "argument --children: must be a whole number, not 'lots'"),
        (["--as-of", "2026-13-01"], "argument --as-of: must be a real date as YYYY-MM-DD"),
    ],
)
def test_bad_arguments_are_named_plainly(args, message):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as refused:
        call_command("seed", *args)
    assert message in str(refused.value)


def test_no_agency_record_has_a_birth_date_in_the_future(big_borough: Borough) -> None:
    births = [row["date_of_birth"] for row in _rows(big_borough, "people.AgencyRecord")]
    assert births and all(born is None or born <= AS_OF for born in births)
