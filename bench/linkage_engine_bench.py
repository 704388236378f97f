"""Quick figures for the linkage engine, on synthetic records with known truth.

Trains a model on N generated records, predicts and clusters them with Splink, then
matches held-out records one at a time two ways: TellOnce's real-time path (blocking
keys in a dict, then the plain-Python `Scorer`) and Splink 5's own incremental path
(`linker.inference.predict_between` of the one record against the index), checking
that both find the same candidates with the same match weights. Also times Splink's
`compare_records` on a single pair. Prints JSON and writes it to
bench/results/linkage_engine.json. No database, no personal data (synthetic names are
counted, never printed).

    .venv/bin/python bench/linkage_engine_bench.py [--people 2500] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from common import machine, measured_now

from tellonce.linkage import engine
from tellonce.linkage.engine.blocking import blocking_rules, index_keys, query_keys
from tellonce.linkage.engine.records import prepare_record, prepare_records
from tellonce.linkage.tests.synthetic import generate

RESULTS = Path(__file__).resolve().parent / "results" / "linkage_engine.json"
#: Splink's pairs checked against the scorer: all of them for a quick run, a sample
#: for a borough (materialising millions of pairs in Python costs gigabytes).
MAX_PAIRS_CHECKED = 200_000
#: Candidates explained per real-time query, as the search page shows them.
TOP = 10


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    quantiles = statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "p50_ms": round(quantiles[49], 3),
        "p95_ms": round(quantiles[94], 3),
        "p99_ms": round(quantiles[98], 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


def _accuracy(data: Any, pairs: pa.Table, threshold: float) -> dict[str, Any]:
    truth = data.truth
    true_pairs = data.true_pairs()
    twins = {frozenset(t) for t in data.twins}
    linked = set()
    twins_merged = 0
    above = pairs.filter(pc.greater_equal(pairs.column("match_probability"), threshold))
    for row in above.select(["unique_id_l", "unique_id_r"]).to_pylist():
        a, b = sorted((row["unique_id_l"], row["unique_id_r"]))
        linked.add((a, b))
        twins_merged += frozenset((truth[a], truth[b])) in twins
    true_positives = len(linked & true_pairs)
    precision = true_positives / len(linked) if linked else 1.0
    recall = true_positives / len(true_pairs)
    return {
        "threshold": threshold,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4),
        "twin_pairs_merged": twins_merged,
        "twins": len(data.twins),
    }


def run(people: int, queries: int, seed: int, threads: int | None) -> dict[str, Any]:
    from splink import DuckDBAPI, Linker
    from splink.internals.realtime import compare_records

    data = generate(people, seed=seed)
    rng = random.Random(seed)
    held_out = set(rng.sample(range(len(data.records)), queries))
    index_records = [r for i, r in enumerate(data.records) if i not in held_out]
    query_records = [data.records[i] for i in sorted(held_out)]

    started = time.perf_counter()
    model = engine.train(data.records, seed=seed, threads=threads)
    training = time.perf_counter() - started

    started = time.perf_counter()
    pairs = engine.predict(data.records, model, threads=threads)
    prediction = time.perf_counter() - started

    started = time.perf_counter()
    clusters = engine.cluster(data.records, pairs, engine.DEFAULT_MATCH_THRESHOLD)
    clustering = time.perf_counter() - started

    # ----- the scorer on (a sample of) the pairs Splink scored
    tf = engine.term_frequencies(data.records, model)
    scorer = engine.Scorer(model, tf)
    prepared = {r["unique_id"]: r for r in prepare_records(data.records).to_pylist()}
    sample = pairs.select(["unique_id_l", "unique_id_r", "match_weight"])
    if sample.num_rows > MAX_PAIRS_CHECKED:
        sample = sample.take(sorted(rng.sample(range(sample.num_rows), MAX_PAIRS_CHECKED)))
    scored = [
        (prepared[r["unique_id_l"]], prepared[r["unique_id_r"]], r["match_weight"])
        for r in sample.to_pylist()
    ]
    worst = max(abs(scorer.match_weight(a, b) - w) for a, b, w in scored)
    started = time.perf_counter()
    for a, b, _ in scored:
        scorer.match_weight(a, b)
    fast = (time.perf_counter() - started) / len(scored)
    started = time.perf_counter()
    for a, b, _ in scored:
        scorer.score(a, b)
    explained = (time.perf_counter() - started) / len(scored)

    # ----- one new record at a time: ours
    index_tf = engine.term_frequencies(index_records, model)
    index_scorer = engine.Scorer(model, index_tf)
    rules = blocking_rules(model)
    fields = engine.model_fields(model)
    index_table = prepare_records(index_records, fields)
    index: dict[str, list[dict[str, Any]]] = {}
    for record in index_table.to_pylist():
        for key in index_keys(record, rules):
            index.setdefault(key, []).append(record)
    ours: list[float] = []
    our_results: list[dict[str, float]] = []
    candidates_seen = 0
    # Queries whose child is already in the index, and how often that child ranks first.
    indexed_people = {data.truth[r["unique_id"]] for r in index_records}
    answerable = top_right = 0
    for raw in query_records:
        started = time.perf_counter()
        record = prepare_record(raw, fields)
        candidates = {id(c): c for key in query_keys(record, rules) for c in index.get(key, ())}
        ranked = index_scorer.score_many(record, list(candidates.values()), limit=TOP)
        ours.append(time.perf_counter() - started)
        candidates_seen += len(candidates)
        person = data.truth[raw["unique_id"]]
        if person in indexed_people:
            answerable += 1
            top_right += bool(ranked) and data.truth[ranked[0].unique_id_r or ""] == person
        # Every candidate's weight, to compare with Splink's (only the top few are
        # explained above, as a search page would show them).
        our_results.append(
            {c["unique_id"]: index_scorer.match_weight(record, c) for c in candidates.values()}
        )

    # ----- one new record at a time: Splink's predict_between, same model and index
    db_api = DuckDBAPI()
    index_sdf = db_api.register(index_table, table_name="tellonce_index")
    linker = Linker(index_sdf, model, log_level=None, validate_settings=False)
    for column in index_tf:
        linker.table_management.compute_tf_table(column)
    theirs: list[float] = []
    disagreements = 0
    worst_realtime = 0.0
    for number, raw in enumerate(query_records):
        started = time.perf_counter()
        query = db_api.register(
            prepare_records([raw], fields), table_name=f"tellonce_query_{number}"
        )
        result = linker.inference.predict_between(query, index_sdf, warning_mode="never")
        rows = result.as_record_list()
        theirs.append(time.perf_counter() - started)
        splink_weights = {r["unique_id_r"]: r["match_weight"] for r in rows}
        if set(splink_weights) != set(our_results[number]):
            disagreements += 1
        for uid, weight in splink_weights.items():
            if uid in our_results[number]:
                worst_realtime = max(worst_realtime, abs(weight - our_results[number][uid]))

    # ----- Splink's compare_records on one pair (its SQL cached after the first)
    left, right = (prepare_records([r], fields) for r in query_records[:2])
    with_tf = []
    for table in (left, right):
        row = table.to_pylist()[0]
        for column, frequencies in index_tf.items():
            row[f"tf_{column}"] = frequencies.get(row.get(column)) if row.get(column) else None
        with_tf.append(row)
    compare: list[float] = []
    for _ in range(30):
        started = time.perf_counter()
        compare_records(with_tf[0], with_tf[1], model, db_api, sql_cache_key="bench")
        compare.append(time.perf_counter() - started)

    ours_figures = _percentiles(ours)
    theirs_figures = _percentiles(theirs)
    return {
        "benchmark": "linkage engine",
        "measured_on": measured_now(),
        "records": len(data.records),
        "people": len(set(data.truth.values())),
        "seed": seed,
        "duckdb_threads": threads or "all",
        "training_seconds": round(training, 2),
        "prediction_seconds": round(prediction, 2),
        "clustering_seconds": round(clustering, 2),
        "pairs_scored": pairs.num_rows,
        "clusters": len(set(clusters.column("cluster_id").to_pylist())),
        "accuracy": _accuracy(data, pairs, engine.DEFAULT_MATCH_THRESHOLD),
        "scorer": {
            "pairs": len(scored),
            "match_weight_us_per_pair": round(fast * 1e6, 2),
            "score_with_explanation_us_per_pair": round(explained * 1e6, 2),
            "max_abs_difference_from_splink": worst,
        },
        "realtime": {
            "queries": queries,
            "index_records": len(index_records),
            "mean_candidates": round(candidates_seen / queries, 1),
            "top_candidate_is_the_same_child": round(top_right / max(answerable, 1), 4),
            "ours": ours_figures,
            "splink_predict_between": theirs_figures,
            "p95_ratio_splink_to_ours": round(theirs_figures["p95_ms"] / ours_figures["p95_ms"], 1),
            "queries_with_different_candidates": disagreements,
            "max_abs_difference_from_splink": worst_realtime,
            "splink_compare_records_single_pair": _percentiles(compare),
        },
        # ru_maxrss is in kilobytes on Linux.
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2500, help="children to generate")
    parser.add_argument("--queries", type=int, default=200, help="real-time queries")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--threads", type=int, default=None, help="DuckDB threads (default: all cores)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    figures = run(args.people, args.queries, args.seed, args.threads)
    text = json.dumps(figures, indent=2)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
