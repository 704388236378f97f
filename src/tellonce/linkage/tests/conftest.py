"""A small synthetic borough, seeded, trained and linked once for the module's tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings
from pytest_django import DjangoDbBlocker

from tellonce.linkage.models import LinkRun
from tellonce.people.models import AgencyRecord


@dataclass
class Linked:
    truth: dict[int, str]  # agency record -> true (seeded) person
    first: LinkRun
    stdout: str


@pytest.fixture(scope="module")
def linked(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, tmp_path_factory
) -> Iterator[Linked]:
    var_dir = tmp_path_factory.mktemp("var")
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var_dir), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command(
                "seed", children=400, seed=11, as_of=date(2026, 3, 2), stdout=io.StringIO()
            )
        truth = _ground_truth(Path(var_dir) / "seed" / "ground_truth.csv")
        out = io.StringIO()
        call_command("link", "train", stdout=out)
        call_command("link", "run", stdout=out)
        yield Linked(truth=truth, first=LinkRun.objects.get(), stdout=out.getvalue())
        transaction.set_rollback(True)


def _ground_truth(path: Path) -> dict[int, str]:
    ids = {
        (code, system, local): pk
        for pk, code, system, local in AgencyRecord.objects.values_list(
            "pk", "agency__code", "system", "local_id"
        )
    }
    with path.open() as handle:
        return {
            ids[(row["agency_code"], row["system"], row["local_id"])]: row["person_id"]
            for row in csv.DictReader(handle)
        }
