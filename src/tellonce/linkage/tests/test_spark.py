"""The scale path: a model trained with DuckDB links a borough's records into the same
children when Splink runs it on Spark, pair for pair and weight for weight.

One Spark session in local mode (two cores) and one small synthetic borough, trained
once, for the whole module. PySpark is a dev dependency: the module is skipped where it
is not installed, and fails in CI, where it must be.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

if os.environ.get("CI") and importlib.util.find_spec("pyspark") is None:
    pytest.fail("pyspark is a dev dependency: CI must run the Spark tests", pytrace=False)
pytest.importorskip("pyspark")

from pyspark.sql import SparkSession

from tellonce.linkage import engine
from tellonce.linkage.engine.spark import main, predict_spark, register_functions, to_spark_sql
from tellonce.linkage.engine.sql import UnsupportedSQLError
from tellonce.linkage.tests.synthetic import SyntheticData, generate

THRESHOLD = engine.DEFAULT_MATCH_THRESHOLD
REVIEW_THRESHOLD = 0.5
Pair = tuple[str, str]


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    with pytest.MonkeyPatch.context() as patch:
        # Executors run this Python, which has tellonce and pyarrow; by default they
        # would run whatever python3 is first on the PATH.
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("tellonce-test")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    # py4j says goodbye at INFO when the interpreter exits, after pytest has closed the
    # stream the test settings' root handler writes to.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    session.sparkContext.setCheckpointDir(str(tmp_path_factory.mktemp("checkpoints")))
    # Every test may be the first to run in its process (tests run in any order).
    register_functions(session)
    yield session
    session.stop()


class Borough:
    """Some 300 children's records from several agencies, with a model trained on them
    and every pair the blocking rules find, scored by DuckDB and by Spark."""

    def __init__(self, spark: SparkSession) -> None:
        self.data: SyntheticData = generate(300, seed=5)
        self.model = engine.train(self.data.records, seed=5)
        self.duckdb = _by_pair(engine.predict(self.data.records, self.model))
        self.spark = _by_pair(predict_spark(self.data.records, self.model, spark))


def _by_pair(table: pa.Table) -> dict[Pair, dict[str, Any]]:
    return {(row["unique_id_l"], row["unique_id_r"]): row for row in table.to_pylist()}


def _links(pairs: dict[Pair, dict[str, Any]], threshold: float = THRESHOLD) -> set[Pair]:
    return {pair for pair, row in pairs.items() if row["match_probability"] >= threshold}


def _partition(clusters: dict[str, list[str]]) -> set[frozenset[str]]:
    """The groups of records, whatever each cluster is called."""
    members: dict[str, set[str]] = {}
    for record, cluster in zip(clusters["unique_id"], clusters["cluster_id"], strict=True):
        members.setdefault(cluster, set()).add(record)
    return {frozenset(group) for group in members.values()}


@pytest.fixture(scope="module")
def borough(spark: SparkSession) -> Borough:
    return Borough(spark)


def test_spark_finds_the_same_links_as_duckdb(borough):
    links = _links(borough.duckdb)
    assert len(links) > 200
    assert _links(borough.spark) == links


def test_spark_scores_every_pair_as_duckdb_does(borough):
    # The same blocking, the same comparison level for every comparison (Jaro-Winkler,
    # Damerau-Levenshtein, shared variants and the twins correction included), the same
    # term frequencies, and the same weights.
    assert borough.spark.keys() == borough.duckdb.keys()
    compared = [c for c in next(iter(borough.duckdb.values())) if c.startswith(("gamma_", "tf_"))]
    assert "gamma_twins" in compared and "tf_given_name_l" in compared
    for pair, expected in borough.duckdb.items():
        scored = borough.spark[pair]
        assert {c: scored[c] for c in compared} == {c: expected[c] for c in compared}, pair
        assert scored["match_weight"] == pytest.approx(expected["match_weight"], abs=1e-6)


def test_the_regional_job_clusters_boroughs_records_into_the_same_children(
    spark, borough, tmp_path: Path
):
    # Two boroughs send their prepared records as Parquet; the job links them together.
    prepared = engine.prepare_records(borough.data.records, engine.model_fields(borough.model))
    half = prepared.num_rows // 2
    pq.write_table(prepared.slice(0, half), tmp_path / "north.parquet")
    pq.write_table(prepared.slice(half), tmp_path / "south.parquet")
    (tmp_path / "model.json").write_text(json.dumps(borough.model))
    out = tmp_path / "out"

    main(
        [
            *("--model", str(tmp_path / "model.json"), "--output", str(out)),
            *("--review-threshold", str(REVIEW_THRESHOLD)),
            *(str(tmp_path / "north.parquet"), str(tmp_path / "south.parquet")),
        ]
    )

    pairs = _by_pair(pq.read_table(out / "pairs"))
    assert pairs.keys() == _links(borough.duckdb, REVIEW_THRESHOLD)
    assert _links(pairs) == _links(borough.duckdb)
    expected = engine.cluster(
        borough.data.records, pa.Table.from_pylist(list(borough.duckdb.values())), THRESHOLD
    ).to_pydict()
    clusters = pq.read_table(out / "clusters").to_pydict()
    assert len(clusters["unique_id"]) == len(borough.data.records)
    assert _partition(clusters) == _partition(expected)
    # Splink's intermediate tables, every record in them, are gone.
    assert list((out / "checkpoints").iterdir()) == []


def test_translated_conditions_give_duckdbs_values_at_the_edges(spark):
    # NULL lists and NULL elements, an empty string, and a name that is not ASCII
    # (DuckDB compares UTF-8 bytes).
    expressions = [
        "array_length(list_intersect(a, b))",
        "jaro_winkler_similarity(x, y)",
        "damerau_levenshtein(x, y)",
        "jaro_winkler_similarity(x, y) >= 0.92",
    ]
    rows = [
        (None, ["jack"], "michał", "michal"),
        (["jack"], None, "", "jack"),
        (["jack", None, "jack"], ["jack", None], None, "jack"),
        ([], ["jack"], "jack", "jakc"),
        (["john", "jack"], ["jack", "john"], "martha", "marhta"),
    ]
    edges = pa.table(
        dict(zip(("a", "b", "x", "y"), zip(*rows, strict=True), strict=True))
        | {"n": list(range(len(rows)))},
        schema=pa.schema(
            [("a", pa.list_(pa.string())), ("b", pa.list_(pa.string()))]
            + [(c, pa.string()) for c in ("x", "y")]
            + [("n", pa.int64())]
        ),
    )
    # Each row in its place: neither engine promises an order without ORDER BY.
    select = ", ".join(f"{sql} AS c{i}" for i, sql in enumerate(expressions))
    in_duckdb = duckdb.sql(f"SELECT {select} FROM edges ORDER BY n").fetchall()  # noqa: S608
    spark.createDataFrame(edges).createOrReplaceTempView("edges")
    spark_select = ", ".join(f"{to_spark_sql(sql)} AS c{i}" for i, sql in enumerate(expressions))
    query = f"SELECT {spark_select} FROM edges ORDER BY n"  # noqa: S608
    in_spark = [tuple(row) for row in spark.sql(query).collect()]
    assert in_spark == in_duckdb


def test_a_function_without_a_checked_spark_meaning_is_refused_not_passed_through():
    # Spark has a levenshtein too, but on characters, not DuckDB's UTF-8 bytes.
    with pytest.raises(UnsupportedSQLError, match="LEVENSHTEIN"):
        to_spark_sql('levenshtein("given_name_l", "given_name_r") <= 1')
