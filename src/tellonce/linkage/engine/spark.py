"""The scale path: the same trained model, run by Splink on Spark, for a region or the
whole country where one DuckDB process is not enough (see docs/scale.md).

Owns `spark_model` (a model's DuckDB SQL translated to Spark SQL), `register_functions`
(the string similarities as Spark functions), `predict_spark_frame` and `cluster_spark`
(Spark DataFrames in and out, for a cluster), `predict_spark` (records in, an Arrow
table out, as `engine.predict`) and `link_parquet`, the job a cluster runs.

The model is trained once (with DuckDB, `engine.train`) and its JSON is used unchanged:
its conditions are translated when it is loaded, never edited by hand, so the two
backends cannot drift. The translation keeps DuckDB's meaning, not just its spelling:

- `jaro_winkler_similarity` and `damerau_levenshtein` become Arrow UDFs around
  `engine.jaro`, the port of DuckDB's own algorithms that the real-time scorer uses.
  Spark has neither function. The jar Splink ships has both, but its Jaro-Winkler is
  Apache Commons Text's, another implementation: on 43,660 pairs of synthetic names it
  differed from DuckDB on 412 (charlie/walker 0.621, DuckDB 0.663), one of them across
  the 0.8 threshold. And both of its functions return a number for NULL (0.0 and 100)
  where DuckDB returns NULL. So the jar is not registered.
- `array_length(list_intersect(a, b))` keeps DuckDB's NULL handling (NULL when `a` is
  NULL, 0 when only `b` is) and ignores NULL elements; Spark's `size(array_intersect())`
  would count a shared NULL, and give NULL (-1 without ANSI mode) when either list is
  missing. Inside a NOT, as in the twins comparison, NULL and false differ.
- decimal literals (`0.92`) become doubles, as DuckDB compares them with a double.

Everything else (comparisons, AND/OR/NOT, IS NULL, arithmetic) means the same in both
dialects. Term frequencies are Splink's own: it computes them over the records it is
given, in Spark as in DuckDB, so the adjustments agree as long as the records do.

PySpark is imported only inside functions: the engine imports this module without it.
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import sqlglot
from sqlglot import expressions as exp

from tellonce.linkage.engine.jaro import damerau_levenshtein, jaro_winkler_similarity
from tellonce.linkage.engine.model import DEFAULT_MATCH_THRESHOLD, model_fields
from tellonce.linkage.engine.records import RecordsInput, prepare_records
from tellonce.linkage.engine.sql import UnsupportedSQLError, parse_condition

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

JARO_WINKLER = "tellonce_jaro_winkler"
DAMERAU_LEVENSHTEIN = "tellonce_damerau_levenshtein"
#: DuckDB's list_intersect, counted, in Spark SQL ({a} and {b} are the two lists).
_SHARED_ELEMENTS = (
    "CASE WHEN {a} IS NULL THEN NULL WHEN {b} IS NULL THEN 0"
    " ELSE SIZE(ARRAY_COMPACT(ARRAY_INTERSECT({a}, {b}))) END"
)
#: What sqlglot calls functions in a model's SQL that mean the same in Spark.
_SAME_IN_SPARK: tuple[type[exp.Expr], ...] = (exp.And, exp.Or, exp.Cast)


# ----- the model in Spark SQL


def _call(function: str, arguments: Sequence[exp.Expr]) -> exp.Expr:
    # sqlglot does not visit what replaces a node: its arguments are translated here.
    return exp.Anonymous(this=function, expressions=[a.transform(_translate) for a in arguments])


def _translate(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.JarowinklerSimilarity):
        return _call(JARO_WINKLER, [node.this, node.expression])
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "damerau_levenshtein":
        return _call(DAMERAU_LEVENSHTEIN, node.expressions)
    if isinstance(node, exp.ArraySize):
        inner = node.this
        if (
            isinstance(inner, exp.Anonymous)
            and str(inner.this).lower() in ("list_intersect", "array_intersect")
            and len(inner.expressions) == 2
        ):
            a, b = (e.transform(_translate).sql(dialect="spark") for e in inner.expressions)
            return sqlglot.parse_one(_SHARED_ELEMENTS.format(a=a, b=b), read="spark")
    if isinstance(node, exp.Literal) and not node.is_string and not str(node.this).isdigit():
        return exp.Cast(this=node.copy(), to=exp.DataType.build("double"))
    if isinstance(node, exp.Func) and not isinstance(node, _SAME_IN_SPARK):
        raise UnsupportedSQLError(
            f"No Spark translation for {node.sql(dialect='duckdb')}: add one to engine.spark"
        )
    return node


def to_spark_sql(sql: str) -> str:
    """A comparison level's condition or a blocking rule, from DuckDB SQL to Spark SQL
    that gives the same result for every pair of records."""
    if sql.strip().upper() == "ELSE":
        return sql
    return parse_condition(sql).transform(_translate).sql(dialect="spark")


def spark_model(model_json: Mapping[str, Any]) -> dict[str, Any]:
    """The trained model with every SQL condition and blocking rule in Spark SQL;
    parameters unchanged."""
    model = copy.deepcopy(dict(model_json))
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = to_spark_sql(level["sql_condition"])
    rules = []
    for rule in model["blocking_rules_to_generate_predictions"]:
        rule = dict(rule) if isinstance(rule, Mapping) else {"blocking_rule": rule}
        rule["blocking_rule"] = to_spark_sql(rule["blocking_rule"])
        rule["sql_dialect"] = "spark"
        rules.append(rule)
    model["blocking_rules_to_generate_predictions"] = rules
    return model


# ----- the string similarities, as DuckDB computes them


def _pairwise(
    function: Callable[[str, str], Any], left: pa.Array, right: pa.Array, kind: pa.DataType
) -> pa.Array:
    # SQL: NULL in, NULL out.
    return pa.array(
        [
            None if a is None or b is None else function(a, b)
            for a, b in zip(left.to_pylist(), right.to_pylist(), strict=True)
        ],
        kind,
    )


def _jaro_winkler_batch(left: pa.Array, right: pa.Array) -> pa.Array:
    return _pairwise(jaro_winkler_similarity, left, right, pa.float64())


def _damerau_levenshtein_batch(left: pa.Array, right: pa.Array) -> pa.Array:
    return _pairwise(damerau_levenshtein, left, right, pa.int64())


def register_functions(spark: SparkSession) -> None:
    """Registers the functions `to_spark_sql` writes, in this Spark session (once).

    Arrow UDFs: the executors receive batches of pairs and need this package installed
    in their Python (PYSPARK_PYTHON), as they need pyarrow."""
    from pyspark.sql.functions import arrow_udf

    if spark.catalog.functionExists(JARO_WINKLER):
        return
    # Scalar UDFs, as the functions' type hints say. PySpark's stubs know only the
    # older form that names the type (and now warns).
    arrow: Any = arrow_udf
    spark.udf.register(JARO_WINKLER, arrow(_jaro_winkler_batch, "double"))
    spark.udf.register(DAMERAU_LEVENSHTEIN, arrow(_damerau_levenshtein_batch, "bigint"))


# ----- prediction and clustering


def _db_api(spark: SparkSession, break_lineage_method: str) -> Any:
    from splink import SparkAPI

    register_functions(spark)
    # Splink's jar is not registered: see the module docstring.
    return SparkAPI(
        spark_session=spark,
        break_lineage_method=break_lineage_method,
        register_udfs_automatically=False,
    )


def predict_spark_frame(
    prepared: DataFrame,
    model_json: Mapping[str, Any],
    spark: SparkSession,
    *,
    threshold_match_probability: float | None = None,
    break_lineage_method: str = "persist",
) -> DataFrame:
    """`engine.predict` on Spark: the pairs the model's blocking rules find, scored.

    `prepared` holds records as `prepare_records` makes them (every borough's, read from
    Parquet, say), with unique `unique_id`s. The result has the columns of
    `engine.predict`. `break_lineage_method` is Splink's: "persist" keeps intermediate
    tables in memory (a single machine); "parquet" writes them to the Spark checkpoint
    directory (a cluster, where lineage would otherwise grow with every step).
    """
    from splink import Linker

    model = spark_model(model_json)
    db_api = _db_api(spark, break_lineage_method)
    if model["link_type"] == "link_only":
        if "source_dataset" not in prepared.columns:
            raise ValueError("Linking two tables needs a source_dataset on every record")
        rows = prepared.select("source_dataset").distinct().dropna().collect()
        datasets = sorted(row[0] for row in rows)
        if len(datasets) < 2:
            raise ValueError("Linking needs records from at least two source datasets")
        # Splink names the tables, so that one session can predict again.
        inputs = [
            db_api.register(prepared.filter(prepared.source_dataset == name)) for name in datasets
        ]
    else:
        if "source_dataset" in prepared.columns:
            prepared = prepared.drop("source_dataset")
        inputs = [db_api.register(prepared)]
    linker = Linker(inputs, model, log_level=None, validate_settings=False)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold_match_probability, warning_mode="never"
    )
    frame: DataFrame = predictions.as_spark_dataframe()
    return frame


def predict_spark(
    records: RecordsInput,
    model_json: Mapping[str, Any],
    spark: SparkSession,
    *,
    threshold_match_probability: float | None = None,
    break_lineage_method: str = "persist",
) -> pa.Table:
    """`engine.predict` on Spark, for records that fit in this process: prepared here,
    scored in Spark, collected as an Arrow table. The same pairs, comparison levels and
    match weights as DuckDB's. With "persist", Splink's intermediate tables stay cached
    in the session until it stops."""
    prepared = prepare_records(records, model_fields(model_json))
    frame = predict_spark_frame(
        spark.createDataFrame(prepared),
        model_json,
        spark,
        threshold_match_probability=threshold_match_probability,
        break_lineage_method=break_lineage_method,
    )
    return frame.toArrow()


def cluster_spark(
    records: DataFrame,
    pairs: DataFrame,
    spark: SparkSession,
    threshold: float,
    *,
    break_lineage_method: str = "parquet",
) -> DataFrame:
    """`engine.cluster` on Spark, Splink's connected components: (unique_id,
    cluster_id) for every record in `records`, linked or not.

    Connected components iterates, and each step's plan holds all the steps before it:
    with "persist" the driver soon runs out of memory planning them, so the lineage is
    broken on disk ("parquet", or "checkpoint") and the session needs a checkpoint
    directory."""
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    clusters = cluster_pairwise_predictions_at_threshold(
        records.select("unique_id"),
        pairs.select("unique_id_l", "unique_id_r", "match_probability"),
        _db_api(spark, break_lineage_method),
        node_id_column_name="unique_id",
        threshold_match_probability=threshold,
    )
    frame: DataFrame = clusters.as_spark_dataframe().select("unique_id", "cluster_id")
    return frame


# ----- the job a cluster runs


def link_parquet(
    spark: SparkSession,
    *,
    model_path: str | Path,
    records: Sequence[str],
    output: str,
    threshold: float = DEFAULT_MATCH_THRESHOLD,
    review_threshold: float | None = None,
) -> None:
    """Links prepared records read from Parquet (a path or glob per borough) and writes,
    as Parquet, `<output>/pairs`: the scored pairs at or above `review_threshold`
    (default: `threshold`), and `<output>/clusters`: every record's cluster, joining
    the pairs at or above `threshold`. The session needs a checkpoint directory."""
    model = json.loads(Path(model_path).read_text())
    prepared = spark.read.parquet(*records)
    predict_spark_frame(
        prepared,
        model,
        spark,
        threshold_match_probability=(
            threshold if review_threshold is None else min(threshold, review_threshold)
        ),
        break_lineage_method="parquet",
    ).write.mode("overwrite").parquet(f"{output}/pairs")
    clusters = cluster_spark(prepared, spark.read.parquet(f"{output}/pairs"), spark, threshold)
    clusters.write.mode("overwrite").parquet(f"{output}/clusters")


def _delete(spark: SparkSession, path: str) -> None:
    # Through Hadoop's file system, so that HDFS, S3 and ABFS paths work too.
    context: Any = spark.sparkContext
    hadoop_path = context._jvm.org.apache.hadoop.fs.Path(path)
    hadoop_path.getFileSystem(context._jsc.hadoopConfiguration()).delete(hadoop_path, True)


def main(argv: Sequence[str] | None = None) -> None:
    """Link boroughs' prepared records on Spark: `python -m
    tellonce.linkage.engine.spark`, or under spark-submit (see docs/scale.md)."""
    from pyspark.sql import SparkSession

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--model", required=True, help="the trained model (JSON)")
    parser.add_argument("--output", required=True, help="where pairs/ and clusters/ go")
    parser.add_argument("--threshold", type=float, default=DEFAULT_MATCH_THRESHOLD)
    parser.add_argument("--review-threshold", type=float, help="keep pairs from here up")
    parser.add_argument(
        "--checkpoint-dir",
        help="Splink's intermediate tables, deleted at the end (default: OUTPUT/checkpoints)",
    )
    parser.add_argument("records", nargs="+", help="prepared records (Parquet)")
    args = parser.parse_args(argv)
    spark = SparkSession.builder.appName("tellonce-linkage").getOrCreate()
    spark.sparkContext.setCheckpointDir(args.checkpoint_dir or f"{args.output}/checkpoints")
    try:
        link_parquet(
            spark,
            model_path=args.model,
            records=args.records,
            output=args.output,
            threshold=args.threshold,
            review_threshold=args.review_threshold,
        )
    finally:
        # They hold every record: they must not outlive the run.
        checkpoints = spark.sparkContext.getCheckpointDir()
        if checkpoints:
            _delete(spark, checkpoints)


if __name__ == "__main__":
    main()
