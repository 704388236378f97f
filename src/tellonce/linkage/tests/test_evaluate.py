"""`tellonce link evaluate` on files shaped nothing like ours."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tellonce.linkage.evaluate import pairwise_metrics
from tellonce.linkage.tests.synthetic import generate

MAPPING = """\
record_id: id
given_name: first
family_name: last
date_of_birth: {column: dob, format: "%Y%m%d"}
sex: {column: gender, codes: {"1": M, "2": F}}
postcode: post_code
address: [house_no, addr1, town]
national_id: ssn
"""


def _write_foreign_csv(path: Path, records: list[dict], ids: list[str]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "id",
                "first",
                "last",
                "dob",
                "gender",
                "house_no",
                "addr1",
                "town",
                "post_code",
                "ssn",
            ]
        )
        for uid, r in zip(ids, records, strict=True):
            address = (r.get("address") or "").split(",")
            writer.writerow(
                [
                    uid,
                    r.get("given_name") or "",
                    r.get("family_name") or "",
                    (r.get("date_of_birth") or "").replace("-", ""),
                    {"M": "1", "F": "2"}.get(r.get("sex") or "", ""),
                    address[0] if address else "",
                    ",".join(address[1:2]).strip(),
                    "Northbrook",
                    (r.get("postcode") or "").lower(),
                    r.get("nhs_number") or "",
                ]
            )


@pytest.fixture(scope="module")
def foreign_files(tmp_path_factory) -> Path:
    data = generate(400, seed=3)
    folder = tmp_path_factory.mktemp("foreign")
    ids = [f"rec-{i}" for i in range(len(data.records))]
    renamed = dict(zip((r["unique_id"] for r in data.records), ids, strict=True))
    _write_foreign_csv(folder / "people.csv", data.records, ids)
    with (folder / "truth.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_id", "right_id"])
        for a, b in data.true_pairs():
            writer.writerow([renamed[a], renamed[b]])
    (folder / "mapping.yaml").write_text(MAPPING)
    return folder


def test_dedupe_one_foreign_file_and_measure_it(foreign_files, tmp_path):
    out = tmp_path / "out"
    stdout = io.StringIO()
    call_command(
        "link",
        "evaluate",
        "--left",
        str(foreign_files / "people.csv"),
        "--map",
        str(foreign_files / "mapping.yaml"),
        "--truth",
        str(foreign_files / "truth.csv"),
        "--out",
        str(out),
        stdout=stdout,
    )
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"precision", "recall", "f1", "threshold", "seconds"} <= set(metrics)
    assert metrics["precision"] > 0.95 and metrics["recall"] > 0.8
    assert "F1" in stdout.getvalue()
    with (out / "pairs.csv").open() as handle:
        first = next(csv.DictReader(handle))
    assert first["left_id"].startswith("rec-") and float(first["match_probability"]) > 0.99
    with (out / "clusters.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == metrics["records"]


def test_link_two_files(foreign_files, tmp_path):
    rows = list(csv.DictReader((foreign_files / "people.csv").open()))
    truth = list(csv.DictReader((foreign_files / "truth.csv").open()))
    left_ids = {r["id"] for r in rows[::2]}
    header = list(rows[0])
    for name, part in (("a.csv", rows[::2]), ("b.csv", rows[1::2])):
        with (tmp_path / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, header)
            writer.writeheader()
            writer.writerows(part)
    with (tmp_path / "truth.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_id", "right_id"])
        for pair in truth:
            a, b = pair["left_id"], pair["right_id"]
            if (a in left_ids) != (b in left_ids):
                writer.writerow([a, b] if a in left_ids else [b, a])
    out = tmp_path / "out"
    call_command(
        "link",
        "evaluate",
        "--left",
        str(tmp_path / "a.csv"),
        "--right",
        str(tmp_path / "b.csv"),
        "--map",
        str(foreign_files / "mapping.yaml"),
        "--truth",
        str(tmp_path / "truth.csv"),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["link_type"] == "link_only"
    assert metrics["precision"] > 0.95 and metrics["recall"] > 0.75


def test_a_wrong_mapping_is_named(foreign_files, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("record_id: id\nfavourite: colour\n")
    with pytest.raises(CommandError, match="unknown field"):
        call_command(
            "link",
            "evaluate",
            "--left",
            str(foreign_files / "people.csv"),
            "--map",
            str(bad),
            "--out",
            str(tmp_path / "o"),
        )


def test_pairwise_metrics():
    truth = {("a", "b"), ("c", "d")}
    metrics = pairwise_metrics([("b", "a"), ("a", "c")], truth)
    assert (metrics["precision"], metrics["recall"], metrics["f1"]) == (0.5, 0.5, 0.5)


def test_values_in_other_countries_formats_are_compared_as_they_are(tmp_path):
    from tellonce.feeds.mapping import ColumnMapping
    from tellonce.linkage.evaluate import LEFT, read_dataset

    path = tmp_path / "febrl-like.csv"
    path.write_text("id,first,post_code,dob\n1,Ana,4223,19151111\n2,Bo,2000,notadate\n")
    mapping = ColumnMapping.from_dict(
        {
            "record_id": "id",
            "given_name": "first",
            "postcode": "post_code",
            "date_of_birth": {"column": "dob", "format": "%Y%m%d"},
        }
    )
    data = read_dataset(path, mapping, side=LEFT, linking=False)
    assert [r["postcode"] for r in data.records] == ["4223", "2000"]
    assert data.kept_plain == {"postcode": 2}
    assert data.blanked == {"date_of_birth": 1}
