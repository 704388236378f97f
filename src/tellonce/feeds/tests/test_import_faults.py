"""Imports that are whole or visibly partial (issue 13): the community health trust's
SystmOne feed arrives with a bad byte, a byte order mark, a record id twice, or the
import is killed part way. A bad byte spoils its own row and no other; a refused file
writes nothing; an import that stops for any reason is marked stopped part way, with
its counts, an audit entry, and its records handed to linkage."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.test import override_settings
from django.utils import timezone

from tellonce.audit.models import AuditEvent
from tellonce.core.hooks import hooks_run
from tellonce.feeds import services
from tellonce.feeds.mapping import SourceFileError
from tellonce.feeds.models import FeedImport, FeedRowProblem, ImportStatus
from tellonce.feeds.services import BATCH_ROWS, feed_imports_clock_tick, mark_stopped_imports
from tellonce.feeds.tests.test_import import HEADER, LEO, MAPPING, feed, run_import
from tellonce.people.models import AgencyRecord

pytestmark = pytest.mark.django_db

#: What `RECORDS_LANDED` was told: the imports whose records linkage should link.
landed: list[int] = []


def record_landed(feed: FeedImport) -> None:
    landed.append(feed.pk)


LANDED_TOLD = override_settings(RECORDS_LANDED=[f"{__name__}.record_landed"])


@pytest.fixture(autouse=True)
def _nothing_landed_yet() -> None:
    landed.clear()


def child(n: int) -> list[str]:
    """A record with no involvement: a child of the trust's list, the nth."""
    return [f"C{n:05d}", "Sam", f"Child{n}", "14/07/2024", "1", *[""] * 8]


def csv_bytes(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode()


def write(tmp_path: Path, name: str, content: bytes, **changes: object) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    path.with_suffix(".yaml").write_text(yaml.safe_dump(MAPPING | changes), encoding="utf-8")
    return path


def as_objects(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(HEADER, row, strict=True)) for row in rows]


def json_lines(rows: list[list[str]]) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in as_objects(rows))


def json_list(rows: list[list[str]]) -> bytes:
    return json.dumps(as_objects(rows), indent=1).encode()


FORMATS = {"systmone.csv": csv_bytes, "systmone.jsonl": json_lines, "systmone.json": json_list}


def spoil(content: bytes, text: str) -> bytes:
    """The file with one byte of `text` (a surname) replaced by 0xFF, as a system that
    wrote Latin-1 into a UTF-8 feed might."""
    assert content.count(text.encode()) == 1
    return content.replace(text.encode(), text.encode()[:2] + b"\xff" + text.encode()[3:])


def test_a_bad_byte_at_row_2502_of_2505_loses_that_row_alone(world, tmp_path):
    rows = [child(n) for n in range(1, 2506)]
    # Line 2,502: the header is line 1, so the 2,501st child.
    path = write(tmp_path, "systmone.csv", spoil(csv_bytes(rows), "Child2501,"))

    out, _ = run_import(path)

    imported = FeedImport.objects.get()
    assert imported.status == ImportStatus.COMPLETED
    assert "read 2,505 rows: 2,504 new, 0 updated, 0 unchanged, 1 skipped" in out
    assert "Row 2502: family_name: is not valid UTF-8 (byte 0xFF at position 3)" in out
    problem = FeedRowProblem.objects.get()
    assert (problem.row_number, problem.field) == (2502, "family_name")
    assert AgencyRecord.objects.count() == 2504
    assert not AgencyRecord.objects.filter(local_id="C02501").exists()


@pytest.mark.parametrize("name", FORMATS)
def test_one_bad_byte_in_a_five_row_file_loses_one_row_not_five(world, tmp_path, name):
    rows = [child(n) for n in range(1, 6)]
    path = write(tmp_path, name, spoil(FORMATS[name](rows), "Child3"))

    out, _ = run_import(path)

    row = 4 if name.endswith(".csv") else 3  # the CSV's header is its line 1
    assert f"Row {row}: family_name: is not valid UTF-8 (byte 0xFF at position 3)" in out
    assert "read 5 rows: 4 new, 0 updated, 0 unchanged, 1 skipped" in out
    assert AgencyRecord.objects.count() == 4


@pytest.mark.parametrize(
    ("spoiled", "problem"),
    [
        ("Child3\x1b[2J", "must not contain control characters"),
        ("Child3\u202e", "must not contain a right-to-left override"),
        ("Chi\u200bld3", "must not contain zero-width characters"),
    ],
    ids=["terminal escape", "right-to-left override", "zero-width space"],
)
def test_a_name_that_would_read_otherwise_than_it_is_stored_is_a_bad_row(
    world, tmp_path, spoiled, problem
):
    rows = [child(n) for n in range(1, 6)]
    rows[2][2] = spoiled
    path = write(tmp_path, "systmone.csv", csv_bytes(rows))

    out, _ = run_import(path)

    assert f"Row 4: family_name: {problem}" in out
    assert "read 5 rows: 4 new, 0 updated, 0 unchanged, 1 skipped" in out
    assert AgencyRecord.objects.count() == 4
    assert not AgencyRecord.objects.filter(local_id="C00003").exists()


def test_an_event_dated_before_1900_is_a_bad_row(world, tmp_path):
    rows = [child(n) for n in range(1, 3)]
    rows[1][3] = "01/01/0001"
    path = write(tmp_path, "systmone.csv", csv_bytes(rows))

    out, _ = run_import(path)

    assert "must not be before 1900" in out
    assert AgencyRecord.objects.count() == 1


def test_a_bad_byte_in_a_column_the_mapping_does_not_read_names_the_column(world, tmp_path):
    content = b"Patient ID,Surname,DOB,Notes\nC1,Brown,14/07/2024,caf\xe9\nC2,Green,14/07/2024,\n"
    mapping = {k: MAPPING[k] for k in ("agency", "system", "record_id", "family_name")}
    path = tmp_path / "short.csv"
    path.write_bytes(content)
    path.with_suffix(".yaml").write_text(yaml.safe_dump(mapping))

    out, _ = run_import(path)

    assert "Row 2: column 'Notes' is not valid UTF-8 (byte 0xE9 at position 4)" in out
    assert list(AgencyRecord.objects.values_list("local_id", flat=True)) == ["C2"]


def test_a_bad_byte_in_a_mapped_header_refuses_the_file_and_shows_the_byte(world, tmp_path):
    content = csv_bytes([child(1)]).replace(b"Surname", b"Surn\xe4me", 1)

    with pytest.raises(CommandError, match=r"has no column\(s\) Surname .*Surn\\xe4me"):
        run_import(write(tmp_path, "systmone.csv", content))
    assert not AgencyRecord.objects.exists()


@pytest.mark.parametrize("name", FORMATS)
def test_a_nul_in_a_cell_is_a_bad_row_not_a_broken_import(world, tmp_path, name):
    # Written raw in the CSV, and as JSON writes it (\\u0000) in JSON.
    nul = [*child(2)[:2], "Ch\x00ild2", *child(2)[3:]]

    out, _ = run_import(write(tmp_path, name, FORMATS[name]([child(1), nul])))

    row = 3 if name.endswith(".csv") else 2
    assert f"Row {row}: family_name: holds a NUL character (byte 0x00 at position 3)" in out
    assert FeedImport.objects.get().status == ImportStatus.COMPLETED
    assert AgencyRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("systmone.csv", None),
        ("systmone.csv", "utf-8"),  # a mapping naming plain UTF-8 still drops the mark
        ("systmone.jsonl", None),
        ("systmone.json", None),
    ],
)
def test_a_byte_order_mark_loses_no_row(world, tmp_path, name, encoding):
    changes = {"encoding": encoding} if encoding else {}
    content = b"\xef\xbb\xbf" + FORMATS[name]([child(1), child(2)])

    out, _ = run_import(write(tmp_path, name, content, **changes))

    assert "read 2 rows: 2 new, 0 updated, 0 unchanged, 0 skipped" in out
    assert set(AgencyRecord.objects.values_list("local_id", flat=True)) == {"C00001", "C00002"}


def test_an_involvement_repeated_with_other_details_is_reported_on_each_row(world, tmp_path):
    visiting = ["P1", "Aisha", "Khan", "27/03/2025", "2", "", "", "Health visiting", "HV",
                "02/04/2025", "", "Priya Shah", "N"]  # fmt: skip
    discharged = [*visiting[:10], "01/10/2025", *visiting[11:]]

    out, _ = run_import(feed(tmp_path, [visiting, LEO, discharged]))

    said = "with other details: none of these rows was taken"
    again = "started_on: repeats the involvement (same team and capacity) of row"
    assert f"Row 2: {again} 4 {said}" in out
    assert f"Row 4: {again} 2 {said}" in out
    assert "1 new, 0 updated, 0 unchanged, 2 skipped" in out
    assert list(AgencyRecord.objects.values_list("local_id", flat=True)) == ["P2"]


@pytest.mark.parametrize(
    "name,content",
    [
        ("short.csv", b"Patient ID,First Name\nP1,Aisha\n"),
        ("broken.json", b'[{"Patient ID": "P1"},'),
        ("list.json", b'{"Patient ID": "P1"}'),
        ("feed.xlsx", b"PK\x03\x04"),
    ],
)
def test_a_refused_file_writes_nothing_and_says_so(world, tmp_path, name, content):
    with pytest.raises(CommandError, match="Nothing was written"):
        run_import(write(tmp_path, name, content))

    assert FeedImport.objects.get().status == ImportStatus.REFUSED
    assert not AgencyRecord.objects.exists() and not FeedRowProblem.objects.exists()


def _reading_fails(monkeypatch: pytest.MonkeyPatch, on_pass: int, at_row: int) -> None:
    """The file cannot be read past `at_row` on the import's `on_pass`th reading of it
    (1: the survey, which writes nothing; 2: the rows landing), as when a disk fails."""
    real = services.read_rows
    passes = []

    def read_rows(path, mapping):
        passes.append(path)
        for row in real(path, mapping):
            if len(passes) == on_pass and row.number > at_row:
                raise SourceFileError(f"cannot read {path.name}: Input/output error")
            yield row

    monkeypatch.setattr(services, "read_rows", read_rows)


@LANDED_TOLD
def test_a_file_unreadable_late_in_the_survey_is_refused_with_nothing_written(
    world, tmp_path, monkeypatch
):
    _reading_fails(monkeypatch, on_pass=1, at_row=BATCH_ROWS + 300)
    path = write(tmp_path, "systmone.csv", csv_bytes([child(n) for n in range(1, 2506)]))

    with pytest.raises(CommandError, match=r"Input/output error\. Nothing was written"):
        run_import(path)

    assert FeedImport.objects.get().status == ImportStatus.REFUSED
    assert not AgencyRecord.objects.exists() and landed == []


def _landing_fails(monkeypatch: pytest.MonkeyPatch, failure: BaseException) -> None:
    """The second batch fails as its new records are written."""
    real = services.rows_insert
    batches = []

    def rows_insert(label, columns, rows, **options):
        batches.append(label)
        if len(batches) == 2:
            raise failure
        return real(label, columns, rows, **options)

    monkeypatch.setattr(services, "rows_insert", rows_insert)


@LANDED_TOLD
@pytest.mark.parametrize(
    "stop",
    [
        lambda m: _reading_fails(m, on_pass=2, at_row=BATCH_ROWS + 100),
        lambda m: _landing_fails(m, DatabaseError("the database went away")),
        lambda m: _landing_fails(m, KeyboardInterrupt()),
    ],
    ids=["file unreadable", "database error", "ctrl-c"],
)
def test_an_import_stopping_in_its_process_is_marked_stopped_part_way_with_its_batches(
    world, tmp_path, monkeypatch, stop
):
    stop(monkeypatch)
    path = write(tmp_path, "systmone.csv", csv_bytes([child(n) for n in range(1, 2506)]))

    with pytest.raises((CommandError, KeyboardInterrupt)):
        run_import(path)

    imported = FeedImport.objects.get()
    assert imported.status == ImportStatus.STOPPED_PART_WAY
    assert (imported.rows_read, imported.rows_new) == (BATCH_ROWS, BATCH_ROWS)
    assert AgencyRecord.objects.filter(feed=imported).count() == BATCH_ROWS
    entry = AuditEvent.objects.get(reason="Agency feed import stopped part way")
    assert entry.detail["status"] == "stopped_part_way" and entry.detail["new"] == BATCH_ROWS
    assert landed == [imported.pk]


def _left_running(world, *, silent_for: timedelta, new: int) -> FeedImport:
    """An import whose process was killed `silent_for` ago, after writing `new` records."""
    beat = timezone.now() - silent_for
    stopped = FeedImport.objects.create(
        agency=world.health, system="SystmOne", file_name="systmone.csv", file_sha256="0" * 64,
        rows_read=new, rows_new=new, started_on=beat - timedelta(minutes=1), heartbeat_at=beat,
    )  # fmt: skip
    for n in range(new):
        AgencyRecord.objects.create(
            agency=world.health, system="SystmOne", local_id=f"K{n}", family_name="Child",
            feed=stopped,
        )  # fmt: skip
    return stopped


def _by_the_next_import(tmp_path: Path) -> None:
    run_import(write(tmp_path, "next.csv", csv_bytes([child(9)])))


@LANDED_TOLD
@pytest.mark.parametrize(
    "found_by",
    [
        lambda tmp_path: mark_stopped_imports(),
        _by_the_next_import,
        lambda tmp_path: hooks_run("ON_SERVE"),
        lambda tmp_path: feed_imports_clock_tick(timezone.now()),
    ],
    ids=["mark_stopped_imports", "next import", "serve start-up", "clock"],
)
def test_a_killed_import_is_marked_stopped_part_way_once_and_its_records_linked(
    world, tmp_path, found_by
):
    stopped = _left_running(world, silent_for=timedelta(minutes=5), new=3)
    alive = _left_running(world, silent_for=timedelta(seconds=5), new=0)

    found_by(tmp_path)
    found_by(tmp_path)

    stopped.refresh_from_db()
    assert stopped.status == ImportStatus.STOPPED_PART_WAY
    assert stopped.finished_on is not None and "no word from it since" in stopped.status_reason
    assert (stopped.rows_read, stopped.rows_new) == (3, 3)
    entry = AuditEvent.objects.get(reason="Agency feed import stopped part way")
    assert entry.object_id == str(stopped.pk) and entry.detail["new"] == 3
    assert "Child" not in str(entry.detail) and "K0" not in str(entry.detail)
    assert landed.count(stopped.pk) == 1
    alive.refresh_from_db()
    assert alive.status == ImportStatus.RUNNING


def test_serve_start_up_tells_the_operator_which_imports_it_marked(world):
    stopped = _left_running(world, silent_for=timedelta(hours=1), new=0)

    said = services.stopped_imports_said()

    assert said == f"Feed imports found stopped part way and marked so: {stopped.pk}."
    assert services.stopped_imports_said() is None


def test_the_import_log_shows_stopped_part_way_with_its_counts(world, signed_in):
    from django.urls import reverse

    stopped = _left_running(world, silent_for=timedelta(hours=1), new=2)
    mark_stopped_imports()
    world.adam.is_superuser = True
    world.adam.save()

    page = signed_in(world.adam).get(reverse("admin:feeds_feedimport_changelist"))

    text = page.content.decode()
    assert page.status_code == 200 and "Stopped part way" in text
    assert f"/feeds/feedimport/{stopped.pk}/" in text
