"""A new user tries the import on the demo: `tellonce export_feeds` writes each agency
system's feed of a small seeded Northbrook in its own layout, and importing every one
back into the same database changes nothing; the bad-rows feed reports exactly its
bad rows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings
from pytest_django import DjangoDbBlocker

from tellonce.audit.models import Action, AuditEvent
from tellonce.audit.services import COMMAND_LINE
from tellonce.borough.feeds import BadRow, FeedsExport, feeds_export
from tellonce.feeds.models import FeedImport, FeedRowProblem, ReportedInvolvement
from tellonce.involvements.models import Involvement
from tellonce.people.models import AgencyRecord, Person

pytestmark = pytest.mark.django_db


@dataclass
class Exported:
    export: FeedsExport
    stdout: str
    out: Path


@pytest.fixture(scope="module")
def exported(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Exported]:
    """Northbrook with 120 children, its feeds exported by the command as a user would."""
    var_dir = tmp_path_factory.mktemp("var")
    out = tmp_path_factory.mktemp("feeds")
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=var_dir),
        transaction.atomic(),
    ):
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command(
                "seed", children=120, seed=11, as_of=date(2026, 3, 2), stdout=io.StringIO()
            )
        stdout = io.StringIO()
        call_command("export_feeds", out=str(out), stdout=stdout)
        # The same export, as a value to inspect (the files are simply written again).
        export = feeds_export(out=out, via=COMMAND_LINE)
        yield Exported(export=export, stdout=stdout.getvalue(), out=out)
        transaction.set_rollback(True)


def test_each_agency_system_gets_its_own_layout_with_its_mapping(exported: Exported) -> None:
    feeds = {(f.agency_code, f.system): f for f in exported.export.feeds}
    groups = set(AgencyRecord.objects.values_list("agency__code", "system").distinct())

    assert set(feeds) == groups
    suffixes = {f.system: f.path.suffix for f in feeds.values()}
    assert suffixes["SystmOne"] == ".csv" and suffixes["Mosaic"] == ".json"
    assert suffixes["Niche RMS"] == ".jsonl"
    systmone = feeds[("RNB", "SystmOne")]
    mapping = yaml.safe_load(systmone.mapping.read_text())
    assert mapping["agency"] == "RNB" and mapping["system"] == "SystmOne"
    assert mapping["date_of_birth"] == {"column": "DOB", "format": "%d/%m/%Y"}
    emis = next(f for f in feeds.values() if f.system == "EMIS Web")
    assert yaml.safe_load(emis.mapping.read_text())["date_of_birth"]["format"] == "%Y%m%d"
    assert systmone.path.read_text().startswith("Patient ID,First Name,")
    assert sum(f.rows for f in feeds.values()) >= AgencyRecord.objects.count()


def test_importing_every_feed_back_changes_nothing(exported: Exported) -> None:
    before = _counts()

    for feed in exported.export.feeds:
        call_command("import", str(feed.path), agency=feed.agency_code, stdout=io.StringIO())

    imports = FeedImport.objects.all()
    assert imports.count() == len(exported.export.feeds)
    assert {(i.rows_new, i.rows_updated, i.rows_skipped) for i in imports} == {(0, 0, 0)}
    assert sum(i.rows_unchanged for i in imports) == sum(f.rows for f in exported.export.feeds)
    assert _counts() == before


def test_the_bad_rows_feed_reports_exactly_its_bad_rows(exported: Exported) -> None:
    bad = exported.export.bad_feed
    assert bad is not None
    out = io.StringIO()

    call_command("import", str(bad.path), agency=bad.agency_code, stdout=out)

    imported = FeedImport.objects.get()
    problems = [BadRow(row, field) for row, field in imported.problems.values_list(
        "row_number", "field")]  # fmt: skip
    assert problems == exported.export.bad_rows
    assert {p.field for p in problems} == {"date_of_birth", "nhs_number", "family_name", "upn"}
    assert (imported.rows_skipped, imported.rows_new, imported.rows_updated) == (4, 0, 0)
    assert imported.rows_unchanged == bad.rows - 4
    for problem in problems:
        assert f"Row {problem.row_number}: {problem.field}: " in out.getvalue()


def test_the_export_says_what_it_wrote_and_is_audited_without_personal_data(
    exported: Exported,
) -> None:
    stdout = exported.stdout

    assert "bad on purpose: row" in stdout and "import-all.sh" in stdout
    script = (exported.out / "import-all.sh").read_text()
    assert script.count(" import --agency ") == len(exported.export.feeds) + 1
    for given, family in Person.objects.values_list("given_name", "family_name")[:200]:
        assert f"{given} {family}" not in stdout
    event = AuditEvent.objects.filter(action=Action.EXPORT).last()
    assert event is not None and event.detail["feeds"] == len(exported.export.feeds)


def _counts() -> dict[str, int]:
    return {
        "records": AgencyRecord.objects.count(),
        "reported": ReportedInvolvement.objects.count(),
        "involvements": Involvement.objects.count(),
        "problems": FeedRowProblem.objects.count(),
    }


def test_the_export_is_refused_in_production(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with override_settings(TELLONCE_ENV="production"), pytest.raises(CommandError, match="demo"):
        call_command("export_feeds", out=str(tmp_path), stdout=io.StringIO())
    assert not list(tmp_path.iterdir())
