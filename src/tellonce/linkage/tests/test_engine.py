"""The linkage engine knows the same child across agencies, keeps twins apart, and its
real-time scorer agrees with Splink to the last decimal.

No database: the records come from the synthetic generator beside this file, and one
model is trained for the whole module (a few seconds).
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from splink import DuckDBAPI, Linker
from splink.internals.realtime import compare_records

from tellonce.linkage import engine
from tellonce.linkage.engine.blocking import blocking_rules, index_keys, query_keys
from tellonce.linkage.engine.jaro import damerau_levenshtein, jaro_winkler_similarity
from tellonce.linkage.engine.records import prepare_record, prepare_records
from tellonce.linkage.engine.sql import compile_comparison
from tellonce.linkage.tests.synthetic import SyntheticData, generate, varied_pairs

THRESHOLD = engine.DEFAULT_MATCH_THRESHOLD


class Trained:
    def __init__(self) -> None:
        self.data: SyntheticData = generate(2500, seed=7)
        started = time.perf_counter()
        self.model = engine.train(self.data.records, seed=7)
        self.training_seconds = time.perf_counter() - started
        self.tf = engine.term_frequencies(self.data.records, self.model)
        self.scorer = engine.Scorer(self.model, self.tf)
        self.pairs = engine.predict(self.data.records, self.model)
        self.prepared = {r["unique_id"]: r for r in prepare_records(self.data.records).to_pylist()}


@pytest.fixture(scope="module")
def trained() -> Trained:
    return Trained()


# ----- the Hussain twins and their records


def _hussain(unique_id: str, given: str, **changes: Any) -> dict[str, Any]:
    record = {
        "unique_id": unique_id,
        "given_name": given,
        "family_name": "Hussain",
        "date_of_birth": "2016-03-04",
        "sex": "F",
        "postcode": "NB1 2AB",
        "address": "12 Oak Road",
        "uprn": None,
        "nhs_number": None,
        "upn": None,
    }
    return prepare_record({**record, **changes})


def test_training_learns_from_five_thousand_records(trained):
    # How long it takes is the benchmark's to say (bench/linkage_engine_bench.py).
    assert len(trained.data.records) > 5000
    assert trained.model["comparisons"]


def test_the_same_records_and_seed_give_the_same_model(trained):
    assert engine.train(trained.data.records, seed=7) == trained.model


def test_amelia_and_her_twin_sophia_are_not_merged_though_everything_else_agrees(trained):
    # Amelia at school and Sophia known to the police: no identifiers to tell them
    # apart, only their given names.
    amelia = _hussain("school-1", "Amelia", upn="A123456789012")
    sophia = _hussain("police-1", "Sophia")
    score = trained.scorer.score(amelia, sophia)
    assert score.match_probability < THRESHOLD
    why = {c.comparison: c for c in score.contributions}
    assert why["twins"].label == "Could be twins: different given names"
    assert why["twins"].log2_bayes_factor < 0


def test_amelias_records_with_typos_and_a_nickname_are_linked(trained):
    gp = _hussain("gp-1", "Amelia", nhs_number="9434765919")
    police = _hussain("police-2", "Amlia", family_name="Husain")
    charity = _hussain("charity-1", "Millie", postcode="NB12AB")
    for other in (police, charity):
        assert trained.scorer.score(gp, other).match_probability >= THRESHOLD


def test_twins_with_clearly_different_given_names_are_never_merged(trained):
    twin_pairs = {frozenset(pair) for pair in trained.data.twins}
    scored = 0
    for row in trained.pairs.to_pylist():
        people = frozenset(
            (trained.data.truth[row["unique_id_l"]], trained.data.truth[row["unique_id_r"]])
        )
        if people in twin_pairs and row["gamma_given_name"] == 0:
            scored += 1
            assert row["match_probability"] < THRESHOLD
    assert scored > 50


def test_twins_in_the_synthetic_data_are_merged_only_where_their_names_coincide(trained):
    # Every pair of twins' records scored at or above the threshold, over the whole
    # synthetic sample. A merge is tolerated only where no comparison could tell them
    # apart: one twin's recorded name is a known spelling of, or one edit from, the
    # other's (twins Henry and Harry, one recorded as Harry; Amira and Amara, one
    # recorded as Amra).
    twin_pairs = {frozenset(pair) for pair in trained.data.twins}
    merged = [
        row
        for row in trained.pairs.to_pylist()
        if row["match_probability"] >= THRESHOLD
        and frozenset(
            (trained.data.truth[row["unique_id_l"]], trained.data.truth[row["unique_id_r"]])
        )
        in twin_pairs
    ]
    for row in merged:
        left, right = trained.prepared[row["unique_id_l"]], trained.prepared[row["unique_id_r"]]
        variants = set(left["given_name_variants"] or ()) & set(right["given_name_variants"] or ())
        assert variants or damerau_levenshtein(left["given_name"], right["given_name"]) <= 1
    assert merged, "the sample no longer has twins whose recorded names coincide"


def test_twins_are_never_one_person_though_a_nickname_links_one_to_both(trained):
    # The persons the batch makes: possible twins are kept apart, and a record that
    # links to both twins (Henry's record saying "Harry", his twin brother's name) is
    # held for a reviewer rather than joined to either.
    clustering = engine.cluster_records(
        trained.data.records, trained.pairs, trained.model, trained.tf, THRESHOLD
    )
    people_in: dict[str, set[str]] = {}
    for uid, cluster_id in clustering.clusters.items():
        people_in.setdefault(cluster_id, set()).add(trained.data.truth[uid])
    twins_merged = [
        pair
        for pair in trained.data.twins
        if any(set(pair) <= people for people in people_in.values())
    ]
    assert twins_merged == []
    assert clustering.held, "no record linked to both twins: the test shows nothing"
    # Holding records back costs little: nearly every child's records are still one.
    assert len(clustering.held) < 0.01 * len(trained.data.records)


def _scored(scorer: engine.Scorer, left: Any, right: Any) -> engine.ScoredPair:
    score = scorer.score(left, right)
    assert score.match_probability >= THRESHOLD
    return engine.ScoredPair(
        left["unique_id"], right["unique_id"], score.match_probability, score.match_weight
    )


def test_a_record_that_could_be_either_twin_is_held_for_review(trained):
    # Samuel and Samantha Hussain are twins; the GP's record says "Sam", sex unknown,
    # a known short form of both names.
    samuel = _hussain("school-1", "Samuel", sex="M")
    samantha = _hussain("school-2", "Samantha", sex="F")
    sam = _hussain("gp-1", "Sam", sex=None)
    conflicts = engine.twin_conflicts([samuel, samantha, sam], trained.scorer, THRESHOLD)
    assert conflicts == {frozenset(("school-1", "school-2"))}
    pairs = [_scored(trained.scorer, sam, twin) for twin in (samuel, samantha)]
    ids = ["school-1", "school-2", "gp-1"]
    clustering = engine.cluster_constrained(ids, pairs, THRESHOLD, apart=conflicts)
    assert len(set(clustering.clusters.values())) == 3
    assert clustering.held == {"gp-1"}


def test_two_nhs_numbers_are_two_children_whatever_the_names_say(trained):
    # Henry and Harry Hussain are twins, and Harry is a known short form of Henry: only
    # their NHS numbers tell their records apart, and a record without one that could
    # be either is held for review.
    henry = _hussain("health-1", "Henry", sex="M", nhs_number="9434765919")
    harry = _hussain("health-2", "Harry", sex="M", nhs_number="9434765870")
    nickname = _hussain("school-1", "Harry", sex="M")
    assert engine.twin_conflicts([henry, harry, nickname], trained.scorer, THRESHOLD) == set()
    pairs = [_scored(trained.scorer, nickname, twin) for twin in (henry, harry)]
    twins = trained.scorer.score(henry, harry)
    pairs.append(engine.ScoredPair("health-1", "health-2", twins.match_probability, 0.0))
    ids = ["health-1", "health-2", "school-1"]
    identifiers = engine.identifiers_of([henry, harry, nickname])
    clustering = engine.cluster_constrained(ids, pairs, THRESHOLD, identifiers=identifiers)
    assert len(set(clustering.clusters.values())) == 3
    assert clustering.held == {"school-1"}


def test_duplicates_whose_only_error_is_a_typo_are_linked(trained):
    truth, errors = trained.data.truth, trained.data.errors
    by_person: dict[str, list[str]] = {}
    for uid, pid in truth.items():
        by_person.setdefault(pid, []).append(uid)
    checked = 0
    for uids in by_person.values():
        clean = [u for u in uids if not errors[u]]
        typos = [u for u in uids if errors[u] == ["typo"]]
        for a in clean:
            for b in typos:
                left, right = trained.prepared[a], trained.prepared[b]
                if left["postcode"] == right["postcode"] and left["date_of_birth"]:
                    checked += 1
                    assert trained.scorer.score(left, right).match_probability >= THRESHOLD
    assert checked > 20


# ----- the real-time scorer is Splink


def _with_tf(records: list[dict[str, Any]], tf: engine.TfTables, schema: pa.Schema) -> pa.Table:
    rows = []
    for record in records:
        row = dict(record)
        for column, table in tf.items():
            value = record.get(column)
            row[f"tf_{column}"] = None if value is None else table.get(value)
        rows.append(row)
    for column in tf:
        schema = schema.append(pa.field(f"tf_{column}", pa.float64()))
    return pa.Table.from_pylist(rows, schema=schema)


def test_the_scorer_equals_splinks_own_realtime_score_on_every_kind_of_pair(trained):
    raw = varied_pairs(trained.data, 3000, seed=11)
    fields = engine.model_fields(trained.model)
    left = prepare_records([pair[0] for pair in raw], fields)
    right = prepare_records([pair[1] for pair in raw], fields)
    pair_id = pa.array(range(len(raw)), pa.int64())
    left = left.append_column("pair_id", pair_id)
    right = right.append_column("pair_id", pair_id)
    splink_scores = compare_records(
        _with_tf(left.to_pylist(), trained.tf, left.schema),
        _with_tf(right.to_pylist(), trained.tf, right.schema),
        trained.model,
        DuckDBAPI(),
        join_condition="l.pair_id = r.pair_id",
    ).as_pyarrow_table()
    assert splink_scores.num_rows == len(raw)

    lefts = {r["unique_id"]: r for r in left.to_pylist()}
    rights = {r["unique_id"]: r for r in right.to_pylist()}
    seen_levels = set()
    worst = 0.0
    for row in splink_scores.to_pylist():
        ours = trained.scorer.score(lefts[row["unique_id_l"]], rights[row["unique_id_r"]])
        worst = max(worst, abs(ours.match_weight - row["match_weight"]))
        for contribution in ours.contributions:
            assert contribution.gamma == row[f"gamma_{contribution.comparison}"]
            seen_levels.add((contribution.comparison, contribution.gamma))
    assert worst < 1e-6

    every_level = {
        (c.name, level.gamma) for c in trained.scorer.parameters.comparisons for level in c.levels
    }
    assert every_level <= seen_levels, f"never exercised: {sorted(every_level - seen_levels)}"


def test_the_scorer_equals_splinks_batch_predictions(trained):
    rows = trained.pairs.to_pylist()
    assert len(rows) > 2000
    worst = max(
        abs(
            trained.scorer.match_weight(
                trained.prepared[row["unique_id_l"]], trained.prepared[row["unique_id_r"]]
            )
            - row["match_weight"]
        )
        for row in rows
    )
    assert worst < 1e-6


def test_blocking_keys_find_exactly_the_pairs_splink_scores(trained):
    rules = blocking_rules(trained.model)
    index: dict[str, list[str]] = {}
    for uid, record in trained.prepared.items():
        for key in index_keys(record, rules):
            index.setdefault(key, []).append(uid)
    ours = set()
    for uid, record in trained.prepared.items():
        for key in query_keys(record, rules):
            ours.update(frozenset((uid, other)) for other in index.get(key, ()) if other != uid)
    splinks = {
        frozenset((row["unique_id_l"], row["unique_id_r"]))
        for row in trained.pairs.select(["unique_id_l", "unique_id_r"]).to_pylist()
    }
    assert ours == splinks


def test_term_frequencies_equal_splinks_tables(trained):
    prepared = prepare_records(trained.data.records)
    linker = Linker(DuckDBAPI().register(prepared.drop_columns(["source_dataset"])), trained.model)
    for column, ours in trained.tf.items():
        theirs = linker.table_management.compute_tf_table(column).as_record_list()
        assert {r[column]: r[f"tf_{column}"] for r in theirs} == ours


def test_jaro_winkler_is_duckdbs_to_the_last_bit():
    names = [
        "martha",
        "marhta",
        "dwayne",
        "duane",
        "dixon",
        "dicksonx",
        "michał",
        "michal",
        "zoë",
        "zoe",
        "a",
        "b",
        "ab",
        "ba",
        "sebastian",
        "sbastian",
        "abdullahi",
        "adullahi",
        "x",
        "aisha",
        "ayesha",
        "jonathon",
        "jonathan",
        "ştefan",
        "stefan",
    ]
    rng = random.Random(5)
    alphabet = "abcdeilmnorsty"
    for _ in range(3000):
        length = rng.randint(1, 12)
        names.append("".join(rng.choice(alphabet) for _ in range(length)))
    pairs = [(a, b) for a in names[:40] for b in names[:40]]
    pairs += [(rng.choice(names), rng.choice(names)) for _ in range(20000)]
    # Each row carries its own pair: DuckDB may return rows in any order.
    expected = duckdb.sql(
        "select a, b, jaro_winkler_similarity(a, b) from (select unnest($a) as a, unnest($b) as b)",
        params={"a": [a for a, _ in pairs], "b": [b for _, b in pairs]},
    ).fetchall()
    assert len(expected) == len(pairs)
    mismatches = [(a, b) for a, b, want in expected if jaro_winkler_similarity(a, b) != want]
    assert mismatches == []


def test_sql_conditions_follow_duckdbs_three_valued_logic():
    conditions = [
        '"a_l" = "a_r"',
        'NOT ("a_l" = "a_r")',
        '"a_l" <> "a_r" OR "b_l" = "b_r"',
        'NOT ("a_l" = "a_r" OR "b_l" = "b_r") AND "a_l" IS NOT NULL',
        '"a_l" IS NULL OR NOT ("b_l" >= "b_r")',
        'array_length(list_intersect("c_l", "c_r")) >= 1',
        'NOT (array_length(list_intersect("c_l", "c_r")) >= 1)',
        'jaro_winkler_similarity("a_l", "a_r") >= 0.9 AND NOT ("b_l" = "b_r")',
    ]
    values: list[Any] = [None, "x", "y"]
    lists: list[Any] = [None, [], ["x"], ["x", "y"]]
    rows = [
        {"a_l": a, "a_r": b, "b_l": c, "b_r": d, "c_l": e, "c_r": f}
        for a in values
        for b in values
        for c in values
        for d in values
        for e in lists
        for f in lists
    ]
    schema = pa.schema(
        [(k, pa.string()) for k in ("a_l", "a_r", "b_l", "b_r")]
        + [("c_l", pa.list_(pa.string())), ("c_r", pa.list_(pa.string()))]
    )
    connection = duckdb.connect()
    connection.register("grid", pa.Table.from_pylist(rows, schema=schema))
    for condition in conditions:
        gamma, _ = compile_comparison([(condition, 1), ("ELSE", 0)])
        # The conditions are this test's own constants.
        sql = f"select case when {condition} then 1 else 0 end from grid"  # noqa: S608
        want = connection.sql(sql).fetchall()
        got = [
            gamma(
                {"a": row["a_l"], "b": row["b_l"], "c": row["c_l"]},
                {"a": row["a_r"], "b": row["b_r"], "c": row["c_r"]},
            )
            for row in rows
        ]
        assert got == [w for (w,) in want], condition


# ----- settings, explanations, clustering, two tables


def test_settings_compare_only_the_fields_the_data_has():
    settings = engine.build_settings(["given_name", "family_name", "date_of_birth"])
    assert [c["output_column_name"] for c in settings["comparisons"]] == [
        "given_name",
        "family_name",
        "date_of_birth",
    ]
    text = json.dumps(settings)
    for absent in ("postcode", "nhs_number", "upn", "uprn", "sex_l"):
        assert absent not in text

    with_national_id = engine.build_settings(["family_name", "date_of_birth", "national_id"])
    names = [c["output_column_name"] for c in with_national_id["comparisons"]]
    assert names == ["family_name", "date_of_birth", "national_id"]
    assert "given_name" not in json.dumps(with_national_id)


def test_fields_absent_from_every_record_are_not_compared():
    records = [
        {"unique_id": "1", "given_name": "Ava", "family_name": "Khan", "upn": None},
        {"unique_id": "2", "given_name": "Eva", "family_name": "Khan", "upn": None},
    ]
    assert engine.present_fields(prepare_records(records)) == ("given_name", "family_name")


def test_the_explanation_gives_every_comparison_its_level_and_weight(trained):
    row = trained.pairs.to_pylist()[0]
    from_splink = engine.explain_pair(row, trained.model)
    ours = trained.scorer.score(
        trained.prepared[row["unique_id_l"]], trained.prepared[row["unique_id_r"]]
    ).contributions
    names = [c["output_column_name"] for c in trained.model["comparisons"]]
    assert [c.comparison for c in from_splink] == names == [c.comparison for c in ours]
    for theirs, mine in zip(from_splink, ours, strict=True):
        assert (theirs.gamma, theirs.label) == (mine.gamma, mine.label)
        assert theirs.match_weight == pytest.approx(mine.match_weight, abs=1e-9)
        assert mine.description and mine.label


def test_the_model_survives_a_round_trip_through_json(trained):
    model = json.loads(json.dumps(trained.model))
    assert model == trained.model
    assert set(trained.model) >= {"probability_two_random_records_match", "comparisons"}
    assert all(
        "m_probability" in level and "u_probability" in level
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
        if not level.get("is_null_level")
    )


def test_ranking_candidates_puts_the_same_child_first(trained):
    gp = _hussain("gp-1", "Amelia", nhs_number="9434765919")
    candidates = [
        _hussain("school-1", "Sophia"),
        _hussain("police-2", "Amlia"),
        _hussain("other", "Grace", family_name="Taylor", date_of_birth="2012-01-01"),
    ]
    ranked = trained.scorer.score_many(gp, candidates)
    assert [s.unique_id_r for s in ranked] == ["police-2", "school-1", "other"]
    assert ranked[0].match_weight > ranked[1].match_weight > ranked[2].match_weight


def test_clusters_join_records_linked_at_the_threshold():
    records = [{"unique_id": uid} for uid in ("a", "b", "c", "d")]
    pairs = pa.table(
        {
            "unique_id_l": ["a", "b", "c"],
            "unique_id_r": ["b", "c", "d"],
            "match_probability": [0.999, 0.995, 0.2],
        }
    )
    clusters = engine.cluster(records, pairs, 0.99).to_pylist()
    cluster_of = {row["unique_id"]: row["cluster_id"] for row in clusters}
    assert cluster_of["a"] == cluster_of["b"] == cluster_of["c"] != cluster_of["d"]


def test_two_tables_are_linked_only_across_each_other(trained):
    records = [r for r in trained.data.records if r["source_dataset"] in ("gp", "school")]
    model = engine.train(records, link_type="link_only", seed=3, max_pairs_for_u=5e5)
    assert model["link_type"] == "link_only"
    pairs = engine.predict(records, model, threshold_match_probability=0.5).to_pylist()
    source = {r["unique_id"]: r["source_dataset"] for r in records}
    assert pairs
    assert all(source[p["unique_id_l"]] != source[p["unique_id_r"]] for p in pairs)
    found = sum(
        trained.data.truth[p["unique_id_l"]] == trained.data.truth[p["unique_id_r"]]
        for p in pairs
        if p["match_probability"] >= THRESHOLD
    )
    assert found > 0.9 * sum(p["match_probability"] >= THRESHOLD for p in pairs)
