"""Judging the linkage on anybody's data: `tellonce link evaluate`.

Reads one CSV (find the duplicates in it) or two (link one to the other) through a
column mapping (the same YAML grammar as agency feeds, read leniently: data from
elsewhere need not follow UK formats), trains a model on the records themselves,
scores the pairs, clusters them (keeping possible twins apart), and, given a truth
file of `left_id,right_id` pairs, measures pairwise precision, recall and F1 at the
chosen threshold. Writes `pairs.csv`, `clusters.csv` and `metrics.json` to the output directory.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tellonce.feeds.mapping import ColumnMapping, SourceFileError, apply_lenient, read_rows
from tellonce.linkage.engine import model as engine
from tellonce.linkage.engine.clustering import cluster_records
from tellonce.linkage.engine.records import CANONICAL_FIELDS

LEFT, RIGHT = "left", "right"
#: Pairs scored below this are not worth writing out.
PAIRS_FLOOR = 0.01


class EvaluationError(ValueError):
    """The inputs cannot be evaluated: says which file and why."""


@dataclass
class Dataset:
    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    blanked: Counter[str] = field(default_factory=Counter)
    kept_plain: Counter[str] = field(default_factory=Counter)


def _key(side: str, record_id: str, linking: bool) -> str:
    # Two files may reuse each other's ids; inside the engine every id is unique.
    return f"{side}:{record_id}" if linking else record_id


def _record_id(key: str, linking: bool) -> str:
    return key.split(":", 1)[1] if linking else key


def read_dataset(path: Path, mapping: ColumnMapping, *, side: str, linking: bool) -> Dataset:
    """The file's records in canonical form. A row without an id, or repeating an id,
    is skipped; a value that cannot be read is blanked; both are counted."""
    data = Dataset()
    seen: set[str] = set()
    try:
        for row in read_rows(path, mapping):
            if row.problem:
                data.skipped["unreadable row"] += 1
                continue
            values, problems = apply_lenient(mapping, row.cells)
            for problem in problems:
                if values.get(problem.field) is None:
                    data.blanked[problem.field] += 1
                else:  # not a UK format, but kept in a plain form and compared
                    data.kept_plain[problem.field] += 1
            record_id = values.get("record_id")
            if not record_id:
                data.skipped["no record id"] += 1
                continue
            if record_id in seen:
                data.skipped["repeated record id"] += 1
                continue
            seen.add(record_id)
            record: dict[str, Any] = {"unique_id": _key(side, record_id, linking)}
            for name in CANONICAL_FIELDS:
                value = values.get(name)
                if isinstance(value, date):
                    value = value.isoformat()
                elif name == "sex" and value == "U":
                    value = None
                record[name] = value
            if linking:
                record["source_dataset"] = side
            data.records.append(record)
    except SourceFileError as exc:
        raise EvaluationError(str(exc)) from exc
    if not data.records:
        raise EvaluationError(f"{path.name} has no records the mapping can read")
    return data


def read_truth(path: Path, *, linking: bool) -> set[tuple[str, str]]:
    """True pairs as engine keys, each pair in a fixed order."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not {"left_id", "right_id"} <= set(reader.fieldnames or []):
                raise EvaluationError(f"{path.name} needs the columns left_id and right_id")
            pairs = set()
            for row in reader:
                left = _key(LEFT, row["left_id"].strip(), linking)
                right = _key(RIGHT, row["right_id"].strip(), linking)
                if left != right:
                    pairs.add(_ordered(left, right))
            return pairs
    except OSError as exc:
        raise EvaluationError(f"cannot read {path}: {exc.strerror}") from exc


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def pairwise_metrics(
    predicted: Iterable[tuple[str, str]], truth: set[tuple[str, str]]
) -> dict[str, float | int]:
    found = {_ordered(a, b) for a, b in predicted}
    true_positives = len(found & truth)
    precision = true_positives / len(found) if found else 1.0
    recall = true_positives / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 6),
        "recall": round(recall, 6),
        "f1": round(f1, 6),
        "true_positives": true_positives,
        "false_positives": len(found) - true_positives,
        "false_negatives": len(truth) - true_positives,
    }


def evaluate(
    *,
    left: Path,
    right: Path | None,
    mapping: ColumnMapping,
    out: Path,
    truth: Path | None = None,
    threshold: float = 0.99,
    seed: int = 1,
) -> dict[str, Any]:
    """Link, cluster, measure; write the three files; return the metrics."""
    if not 0 < threshold < 1:
        raise EvaluationError("the threshold is a match probability between 0 and 1")
    started = time.perf_counter()
    linking = right is not None
    datasets = [read_dataset(left, mapping, side=LEFT, linking=linking)]
    if right is not None:
        datasets.append(read_dataset(right, mapping, side=RIGHT, linking=True))
    sides = dict(zip((LEFT, RIGHT), datasets, strict=False))
    records = [r for d in datasets for r in d.records]
    true_pairs = read_truth(truth, linking=linking) if truth else None

    link_type: engine.LinkType = "link_only" if linking else "dedupe_only"
    model = engine.train(records, link_type=link_type, seed=seed)
    pairs = engine.predict(records, model, threshold_match_probability=PAIRS_FLOOR)
    tf = engine.term_frequencies(records, model)
    clustering = cluster_records(records, pairs, model, tf, threshold)
    seconds = time.perf_counter() - started

    ids_l = pairs.column("unique_id_l").to_pylist()
    ids_r = pairs.column("unique_id_r").to_pylist()
    probabilities = pairs.column("match_probability").to_pylist()
    weights = pairs.column("match_weight").to_pylist()
    out.mkdir(parents=True, exist_ok=True)
    with (out / "pairs.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_id", "right_id", "match_probability", "match_weight"])
        for a, b, p, w in sorted(
            zip(ids_l, ids_r, probabilities, weights, strict=True), key=lambda x: -x[2]
        ):
            writer.writerow(
                [_record_id(a, linking), _record_id(b, linking), f"{p:.6f}", f"{w:.4f}"]
            )
    with (out / "clusters.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "source", "cluster_id"])
        for key, cluster_id in sorted(clustering.clusters.items()):
            side = key.split(":", 1)[0] if linking else LEFT
            writer.writerow([_record_id(key, linking), side, cluster_id])

    metrics: dict[str, Any] = {
        "threshold": threshold,
        "seconds": round(seconds, 2),
        "link_type": link_type,
        "records": len(records),
        "pairs_scored": len(ids_l),
        "pairs_at_threshold": sum(1 for p in probabilities if p >= threshold),
        "clusters": len(set(clustering.clusters.values())),
        "records_held_for_review": len(clustering.held),
        "skipped_rows": {side: dict(d.skipped) for side, d in sides.items()},
        "blanked_values": {side: dict(d.blanked) for side, d in sides.items()},
        "kept_in_plain_form": {side: dict(d.kept_plain) for side, d in sides.items()},
    }
    if true_pairs is not None:
        predicted = (
            (a, b) for a, b, p in zip(ids_l, ids_r, probabilities, strict=True) if p >= threshold
        )
        metrics.update(pairwise_metrics(predicted, true_pairs))
        metrics["true_pairs"] = len(true_pairs)
    else:
        metrics.update({"precision": None, "recall": None, "f1": None})
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics
