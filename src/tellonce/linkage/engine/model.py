"""The linkage model: comparisons for UK children's records, training, batch prediction
and clustering with Splink 5 on DuckDB.

Owns `build_settings` (the Splink settings for whichever canonical fields the data
has), `train`, `predict`, `cluster`, `term_frequencies` and `explain_pair`. The model is
the dict Splink saves (`linker.misc.save_model_to_json`): it round-trips through JSON
and is what the real-time `Scorer` reads.

The comparisons, in the order they are summed:

- given name: same (term-frequency adjusted), known nickname or other spelling
  (`variants`), Jaro-Winkler >= 0.92, >= 0.8, different. When given and family names
  are swapped the given name says nothing and the family name carries the evidence;
- family name: names swapped, same (tf adjusted), known other spelling, Jaro-Winkler
  >= 0.92, one part of a double-barrelled name shared, >= 0.8, different (a child's
  surname changes with a step-father; training learns how often);
- date of birth: same, day and month swapped, one of day/month/year different,
  different;
- sex;
- address, as one comparison so that a shared home counts once, not three times: same
  UPRN, same postcode with a similar address line, same postcode (tf adjusted: a
  hostel's postcode is common), same sector, same district, different;
- NHS number, UPN and national identifier, each same or different;
- twins: a correction for pairs that could be twins (see `twins`).

Training: λ from deterministic rules (same NHS number, UPN or national identifier, or
same names and date of birth) and an assumed recall; u by random sampling; m by
expectation maximisation, first blocked on an identifier (pairs sharing an NHS number
are one child's records, never twins, so they show how often a child's given name
really differs between records), then on full name, with date of birth or postcode
where there is no identifier. Then no level may be an absolute veto (m is floored), and
the twins correction is measured. Blocking rules for prediction keep a borough of
~200,000 records to a few comparisons per record.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import expressions as exp

from tellonce.linkage.engine.records import (
    CANONICAL_FIELDS,
    DERIVED_COLUMNS,
    RecordsInput,
    TfTables,
    compute_tf_tables,
    iter_input_records,
    prepare_records,
    present_fields,
)
from tellonce.linkage.engine.scorer import Contribution, ModelParameters, explain_gammas
from tellonce.linkage.engine.sql import (
    column_side,
    jaro_winkler,
    parse_condition,
    same,
    share,
)
from tellonce.linkage.engine.sql import left as _l
from tellonce.linkage.engine.sql import missing as _missing
from tellonce.linkage.engine.sql import right as _r
from tellonce.linkage.engine.twins import add_twins_comparison, total_pairs

logger = logging.getLogger(__name__)

LinkType = Literal["dedupe_only", "link_only"]

#: Default probability at or above which a pair is the same person.
DEFAULT_MATCH_THRESHOLD = 0.99
#: The least m-probability any level keeps after training (see _complete_parameters).
M_FLOOR = 1e-3
#: ... except for identifiers with a check digit (NHS number: modulus 11; UPN: check
#: letter). A mistyped one fails validation and never reaches the model, so two
#: different valid numbers are two people (twins, siblings) unless an agency wrote
#: down another child's number: far rarer than a typo in a name. About 16.6 bits.
M_FLOOR_CHECKED_IDENTIFIER = 1e-5
_CHECKED_IDENTIFIERS = frozenset(("nhs_number", "upn"))

_LOCATION_FIELDS = ("uprn", "postcode", "address")


def _jaro_winkler(column: str, threshold: float) -> str:
    return f"{jaro_winkler(column)} >= {threshold}"


def _level(
    sql: str,
    label: str,
    *,
    null: bool = False,
    tf: str | None = None,
) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


def _else(label: str) -> dict[str, Any]:
    return _level("ELSE", label)


def _comparison(name: str, description: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "output_column_name": name,
        "comparison_description": description,
        "comparison_levels": levels,
    }


_NAMES_SWAPPED = (
    f"{_l('given_name')} = {_r('family_name')} AND {_l('family_name')} = {_r('given_name')}"
)


def _given_name(fields: set[str]) -> dict[str, Any]:
    null_sql, null_label = _missing("given_name"), "Given name missing"
    if "family_name" in fields:
        null_sql = f"{null_sql} OR ({_NAMES_SWAPPED})"
        null_label = "Given name missing, or names swapped (counted under family name)"
    return _comparison(
        "given_name",
        "Given name",
        [
            _level(null_sql, null_label, null=True),
            _level(same("given_name"), "Same given name", tf="given_name"),
            _level(share("given_name_variants"), "Known nickname or other spelling"),
            _level(_jaro_winkler("given_name", 0.92), "Given names very similar"),
            _level(_jaro_winkler("given_name", 0.8), "Given names similar"),
            _else("Different given names"),
        ],
    )


def _family_name(fields: set[str]) -> dict[str, Any]:
    levels = [_level(_missing("family_name"), "Family name missing", null=True)]
    if "given_name" in fields:
        levels.append(_level(_NAMES_SWAPPED, "Given and family names swapped"))
    levels += [
        _level(same("family_name"), "Same family name", tf="family_name"),
        _level(share("family_name_variants"), "Known other spelling of the family name"),
        _level(_jaro_winkler("family_name", 0.92), "Family names very similar"),
        _level(share("family_name_tokens"), "One part of a double-barrelled name shared"),
        _level(_jaro_winkler("family_name", 0.8), "Family names similar"),
        _else("Different family names"),
    ]
    return _comparison("family_name", "Family name", levels)


def _date_of_birth() -> dict[str, Any]:
    y, m, d = "dob_year", "dob_month", "dob_day"
    transposed = f"{same(y)} AND {_l(m)} = {_r(d)} AND {_l(d)} = {_r(m)}"
    one_differs = (
        f"({same(y)} AND {same(m)}) OR ({same(y)} AND {same(d)}) OR ({same(m)} AND {same(d)})"
    )
    return _comparison(
        "date_of_birth",
        "Date of birth",
        [
            _level(_missing("date_of_birth"), "Date of birth missing", null=True),
            _level(same("date_of_birth"), "Same date of birth"),
            _level(transposed, "Day and month swapped"),
            _level(one_differs, "One of day, month or year different"),
            _else("Different date of birth"),
        ],
    )


def _sex() -> dict[str, Any]:
    return _comparison(
        "sex",
        "Sex",
        [
            _level(_missing("sex"), "Sex missing", null=True),
            _level(same("sex"), "Same sex"),
            _else("Different sex"),
        ],
    )


def _location(fields: set[str]) -> dict[str, Any]:
    present = [f for f in _LOCATION_FIELDS if f in fields]
    null_sql = " AND ".join(f"({_missing(f)})" for f in present)
    levels = [_level(null_sql, "No address to compare", null=True)]
    if "uprn" in fields:
        levels.append(_level(same("uprn"), "Same property (UPRN)"))
    if "address" in fields and "postcode" in fields:
        levels.append(
            _level(
                f"{same('postcode')} AND {_jaro_winkler('address', 0.9)}",
                "Same postcode and similar address",
            )
        )
    elif "address" in fields:
        levels.append(_level(same("address"), "Same address"))
        levels.append(_level(_jaro_winkler("address", 0.9), "Similar address"))
    if "postcode" in fields:
        levels += [
            _level(same("postcode"), "Same postcode", tf="postcode"),
            _level(same("postcode_sector"), "Same postcode sector"),
            _level(same("postcode_district"), "Same postcode district"),
        ]
    levels.append(_else("Different address"))
    return _comparison("location", "Address", levels)


def _identifier(column: str, description: str) -> dict[str, Any]:
    return _comparison(
        column,
        description,
        [
            _level(_missing(column), f"{description} missing", null=True),
            _level(same(column), f"Same {description}"),
            _else(f"Different {description}"),
        ],
    )


#: Blocking rules for prediction, each with the fields it needs. Every pair found by
#: any rule is scored; the rules are chosen so each kind of error a true pair can
#: have leaves at least one rule that still finds it.
_PREDICTION_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("nhs_number",), "l.nhs_number = r.nhs_number"),
    (("upn",), "l.upn = r.upn"),
    (("national_id",), "l.national_id = r.national_id"),
    (
        ("date_of_birth", "family_name"),
        "l.date_of_birth = r.date_of_birth and l.family_name_soundex = r.family_name_soundex",
    ),
    (
        ("date_of_birth", "given_name"),
        "l.date_of_birth = r.date_of_birth and l.given_name_canonical = r.given_name_canonical",
    ),
    (
        ("postcode", "given_name"),
        "l.postcode = r.postcode and l.given_name_canonical = r.given_name_canonical",
    ),
    (
        ("postcode", "date_of_birth"),
        "l.postcode = r.postcode and l.date_of_birth = r.date_of_birth",
    ),
    (("uprn", "date_of_birth"), "l.uprn = r.uprn and l.date_of_birth = r.date_of_birth"),
    (
        ("family_name", "date_of_birth"),
        "l.family_name = r.family_name and l.dob_year = r.dob_year and l.dob_month = r.dob_month",
    ),
    (
        ("given_name", "family_name", "date_of_birth"),
        "l.given_name_canonical = r.given_name_canonical"
        " and l.family_name_soundex = r.family_name_soundex and l.dob_year = r.dob_year",
    ),
    (
        ("given_name", "family_name"),
        "l.given_name = r.family_name and l.family_name = r.given_name",
    ),
)
#: Used only when none of the rules above applies to the fields present.
_FALLBACK_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("given_name", "family_name"),
        "l.given_name_canonical = r.given_name_canonical"
        " and l.family_name_soundex = r.family_name_soundex",
    ),
    (("address",), "l.address = r.address"),
    (("family_name",), "l.family_name = r.family_name"),
)

#: Blocking rules for expectation maximisation. A comparison's m-probabilities are
#: estimated in the sessions whose rule does not use its fields. The first session
#: blocks on an identifier where there is one: pairs sharing an NHS number are (almost)
#: all true matches and never twins, so they teach the model how often one child's
#: given name really differs between records. Blocking on date of birth instead lets
#: twins in and teaches it that different given names are common among "matches".
#: The names session also blocks on date of birth: pairs sharing only a full name
#: include a father and the son named after him at one address, and two children of
#: a common name, who would teach EM that one child's records often have entirely
#: different dates of birth or different NHS numbers and UPNs (so that a date of birth
#: decades apart or a different identifier cost only a few bits). Date of birth is
#: then estimated only in sessions not blocked on it (an identifier's, or a
#: fallback's).
#: Each rule is a set of columns that must be equal.
_EM_IDENTIFIER_RULES: tuple[tuple[str, ...], ...] = (("nhs_number",), ("upn",), ("national_id",))
_EM_NAMES_RULES: tuple[tuple[str, ...], ...] = (
    ("given_name", "family_name", "date_of_birth"),
    ("given_name", "family_name"),
)
_EM_FALLBACK_RULES: tuple[tuple[str, ...], ...] = (
    ("date_of_birth",),
    ("postcode",),
    ("family_name",),
)
#: A session with fewer pairs than this teaches EM nothing reliable (and none at all
#: fails): an NHS number held by only one of two linked tables, say.
_EM_MINIMUM_PAIRS = 200

#: Rules that admit almost no false positives, for estimating λ.
_DETERMINISTIC_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("nhs_number",), "l.nhs_number = r.nhs_number"),
    (("upn",), "l.upn = r.upn"),
    (("national_id",), "l.national_id = r.national_id"),
    (
        ("given_name", "family_name", "date_of_birth"),
        "l.given_name = r.given_name and l.family_name = r.family_name"
        " and l.date_of_birth = r.date_of_birth",
    ),
)

# Which comparison a field's evidence is counted in.
_COMPARISON_FIELDS: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name", "family_name"),
    "family_name": ("family_name", "given_name"),
    "date_of_birth": ("date_of_birth",),
    "sex": ("sex",),
    "location": _LOCATION_FIELDS,
    "nhs_number": ("nhs_number",),
    "upn": ("upn",),
    "national_id": ("national_id",),
}


def _rules_for(
    rules: Iterable[tuple[tuple[str, ...], str]], fields: set[str]
) -> list[tuple[tuple[str, ...], str]]:
    return [(needs, rule) for needs, rule in rules if set(needs) <= fields]


def build_settings(fields: Iterable[str], *, link_type: LinkType = "dedupe_only") -> dict[str, Any]:
    """Untrained Splink settings comparing exactly the given canonical fields."""
    present = set(fields)
    comparisons = []
    if "given_name" in present:
        comparisons.append(_given_name(present))
    if "family_name" in present:
        comparisons.append(_family_name(present))
    if "date_of_birth" in present:
        comparisons.append(_date_of_birth())
    if "sex" in present:
        comparisons.append(_sex())
    if present & set(_LOCATION_FIELDS):
        comparisons.append(_location(present))
    for column, description in (
        ("nhs_number", "NHS number"),
        ("upn", "UPN"),
        ("national_id", "national identifier"),
    ):
        if column in present:
            comparisons.append(_identifier(column, description))
    if len(comparisons) < 2:
        raise ValueError(
            "Linkage needs at least two of: names, date of birth, sex, address, identifiers"
        )
    rules = [rule for _, rule in _rules_for(_PREDICTION_RULES, present)]
    if not rules:
        rules = [rule for _, rule in _rules_for(_FALLBACK_RULES, present)]
    if not rules:
        raise ValueError("No blocking rule fits these fields; add names or an identifier")
    return {
        "link_type": link_type,
        "probability_two_random_records_match": 0.0001,
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": rules,
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "unique_id_column_name": "unique_id",
        "source_dataset_column_name": "source_dataset",
        "em_convergence": 0.0001,
        "max_iterations": 25,
    }


def _equal_pairs(
    rows: Sequence[Mapping[str, Any]], columns: tuple[str, ...], link_only: bool
) -> int:
    """How many record pairs agree on all `columns` (none null): the size of an EM
    session blocked on them."""
    groups: dict[tuple[Any, ...], Counter[Any]] = defaultdict(Counter)
    for row in rows:
        key = tuple(row.get(c) for c in columns)
        if None not in key:
            groups[key][row.get("source_dataset") if link_only else None] += 1
    total = 0
    for sizes in groups.values():
        n = sum(sizes.values())
        same_source = sum(k * (k - 1) for k in sizes.values()) if link_only else 0
        total += (n * (n - 1) - same_source) // 2
    return total


def _em_rules(
    comparisons: Sequence[str], fields: set[str], rows: Sequence[Mapping[str, Any]], link_only: bool
) -> list[tuple[str, int]]:
    """Two or three EM blocking rules, with the pairs each gives (enough for EM), such
    that every comparison is estimated in at least one session: an identifier and full
    name where present, then fallbacks."""

    sizes: dict[tuple[str, ...], int] = {}

    def usable(columns: tuple[str, ...]) -> bool:
        if not set(columns) <= fields:
            return False
        sizes[columns] = _equal_pairs(rows, columns, link_only)
        return sizes[columns] >= _EM_MINIMUM_PAIRS

    def estimated_by(columns: tuple[str, ...]) -> set[str]:
        return {c for c in comparisons if not set(columns) & set(_COMPARISON_FIELDS[c])}

    identifier = next((r for r in _EM_IDENTIFIER_RULES if usable(r)), None)
    names = next((r for r in _EM_NAMES_RULES if usable(r)), None)
    chosen = [r for r in (identifier, names) if r is not None]
    untrained = set(comparisons)
    for columns in chosen:
        untrained -= estimated_by(columns)
    for columns in _EM_FALLBACK_RULES:
        if len(chosen) == 3 or (len(chosen) >= 2 and not untrained):
            break
        if usable(columns) and (len(chosen) < 2 or estimated_by(columns) & untrained):
            chosen.append(columns)
            untrained -= estimated_by(columns)
    if not chosen:
        raise ValueError("Too few records agree on anything to train a linkage model")
    return [(" and ".join(f"l.{c} = r.{c}" for c in columns), sizes[columns]) for columns in chosen]


def _connection(threads: int | None) -> Any:
    import duckdb

    config: dict[str, str | bool | int | float | list[str]] = (
        {"threads": threads} if threads else {}
    )
    return duckdb.connect(":memory:", config=config)


def _linker(prepared: pa.Table, settings: Mapping[str, Any], threads: int | None) -> Any:
    # Imported here so that the real-time scorer (which imports this package) never
    # pays for importing Splink.
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=_connection(threads))
    if settings["link_type"] == "link_only":
        if "source_dataset" not in prepared.column_names:
            raise ValueError("Linking two tables needs a source_dataset on every record")
        datasets = sorted(set(prepared.column("source_dataset").to_pylist()) - {None})
        if len(datasets) < 2:
            raise ValueError("Linking needs records from at least two source datasets")
        sources = prepared.column("source_dataset")
        inputs = [
            db_api.register(
                prepared.filter(pc.equal(sources, name)),
                table_name=f"records_{i}",
            )
            for i, name in enumerate(datasets)
        ]
    else:
        if "source_dataset" in prepared.column_names:
            prepared = prepared.drop_columns(["source_dataset"])
        inputs = [db_api.register(prepared, table_name="records")]
    return Linker(inputs, dict(settings), log_level=None, validate_settings=False)


def train(
    records: RecordsInput,
    *,
    link_type: LinkType = "dedupe_only",
    seed: int = 1,
    recall: float = 0.8,
    max_pairs_for_u: float = 2e6,
    max_pairs_for_em: float | None = 2e6,
    threads: int | None = 1,
    calibrate_prior: bool = True,
) -> dict[str, Any]:
    """Train a model on the records themselves; returns the Splink model dict.

    `recall` is how many true matches the deterministic rules (same NHS number, UPN or
    national identifier, or same names and date of birth) are assumed to find: λ is
    their count divided by it. That is only a first guess: with `calibrate_prior` λ is
    then re-estimated from the trained model (see `_calibrated_prior`). `threads=1`
    makes training repeatable to the last bit for a seed (DuckDB's parallel sums are
    not); None uses every core.
    """
    prepared = prepare_records(records)
    fields = set(present_fields(prepared))
    settings = build_settings(fields, link_type=link_type)
    linker = _linker(prepared, settings, threads)
    deterministic = [rule for _, rule in _rules_for(_DETERMINISTIC_RULES, fields)]
    if deterministic:
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs_for_u, seed=seed)
    comparisons = [c["output_column_name"] for c in settings["comparisons"]]
    rows = prepared.to_pylist()
    for rule, pairs in _em_rules(comparisons, fields, rows, link_type == "link_only"):
        # Splink samples only when asked to; asking for a small session just logs that
        # its probe found nothing.
        sample = max_pairs_for_em if max_pairs_for_em and pairs > max_pairs_for_em else None
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=sample
        )
    model: dict[str, Any] = linker.misc.save_model_to_json()
    # A random name for Splink's temporary tables, not part of the model: dropped so
    # that the same records and seed give the same model.
    model.pop("linker_uid", None)
    model = _complete_parameters(model, m_floor=M_FLOOR, u_unseen=1 / max_pairs_for_u)
    tf_tables = compute_tf_tables(prepared, ModelParameters.from_json(model).tf_columns)
    model = add_twins_comparison(model, rows, fields, tf_tables)
    if calibrate_prior:
        model["probability_two_random_records_match"] = _calibrated_prior(
            prepared, model, total_pairs(rows, link_type == "link_only"), threads
        )
    return model


def _calibrated_prior(
    prepared: pa.Table, model: Mapping[str, Any], total_pairs: int, threads: int | None
) -> float:
    """λ such that it equals the average match probability the model gives all record
    pairs (pairs not blocked together count as 0): the expectation-maximisation update
    of λ with every m and u held fixed, iterated to its fixed point.

    The deterministic rules' count divided by an assumed recall is a guess that only
    holds for one kind of data (how many true pairs share an NHS number depends on
    which agencies hold one). The model's own posterior, once m and u are trained, is
    the better estimate; changing λ shifts every pair's match weight by the same
    amount, so the predictions are scored once and re-weighted in memory.
    """
    prior = float(model["probability_two_random_records_match"])
    if total_pairs <= 0:
        return prior
    linker = _linker(prepared, model, threads)
    predictions = linker.inference.predict(warning_mode="never")
    weights = predictions.as_duckdbpyrelation().select("match_weight").to_arrow_table().column(0)
    predictions.drop_table_from_database_and_remove_from_cache()
    if len(weights) == 0:
        return prior
    # Weights without the prior's log-odds; pairs far below any threshold add nothing.
    evidence = pc.subtract(weights, math.log2(prior / (1 - prior)))
    evidence = evidence.filter(pc.greater(evidence, -60))
    for _ in range(100):
        offset = math.log2(prior / (1 - prior))
        odds = pc.power(2.0, pc.add(evidence, offset))
        expected = pc.sum(pc.divide(odds, pc.add(odds, 1.0))).as_py() or 0.0
        updated = min(max(expected / total_pairs, 1e-12), 0.5)
        converged = abs(updated - prior) <= 1e-4 * prior
        prior = updated
        if converged:
            break
    # Rounded so that the model does not depend on the last bits of a float sum.
    return float(f"{prior:.6g}")


def _complete_parameters(
    model: dict[str, Any], *, m_floor: float, u_unseen: float
) -> dict[str, Any]:
    """Every level with an m and a u the model can be trusted with.

    EM on a few thousand pairs can leave a level it never saw among matches at m = 0 (a
    wrong sex: -230 bits, an absolute veto) or without an m at all (Splink would then
    fall back to defaults meant for untrained models). Such m are raised to `m_floor`,
    so no single disagreement counts for more than about 10 bits (an NHS number or UPN
    with its check digit: `M_FLOOR_CHECKED_IDENTIFIER`). A level never seen
    among the randomly sampled pairs gets u = 1 / pairs sampled, the most that is
    consistent with not seeing it.
    """
    for comparison in model["comparisons"]:
        floor = (
            min(m_floor, M_FLOOR_CHECKED_IDENTIFIER)
            if comparison["output_column_name"] in _CHECKED_IDENTIFIERS
            else m_floor
        )
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            where = f"{comparison['output_column_name']}: {level.get('label_for_charts')}"
            m = level.get("m_probability")
            if not isinstance(m, float | int) or m < floor:
                logger.info("m-probability of %s raised from %s to %s", where, m, floor)
                level["m_probability"] = floor
            u = level.get("u_probability")
            if not isinstance(u, float | int) or u <= 0:
                logger.info("u-probability of %s (never sampled) set to %s", where, u_unseen)
                level["u_probability"] = u_unseen
    return model


def predict(
    records: RecordsInput,
    model_json: Mapping[str, Any],
    *,
    threshold_match_probability: float | None = None,
    threads: int | None = None,
) -> pa.Table:
    """Scored pairs found by the model's blocking rules: unique_id_l, unique_id_r,
    match_weight, match_probability, and for each comparison its gamma_<name> (level),
    mw_<name> (log2 Bayes factor) and mw_tf_adj_<name> columns, with both records'
    compared values."""
    prepared = prepare_records(records, model_fields(model_json))
    linker = _linker(prepared, model_json, threads)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold_match_probability, warning_mode="never"
    )
    table: pa.Table = predictions.as_pyarrow_table()
    return table


def cluster(records: RecordsInput, pairs: pa.Table, threshold: float) -> pa.Table:
    """Connected components of the pairs at or above `threshold` match probability:
    (unique_id, cluster_id) for every record, linked or not."""
    from splink import DuckDBAPI
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    if isinstance(records, pa.Table):
        ids = records.column("unique_id").cast(pa.string())
    else:
        ids = pa.array([str(r["unique_id"]) for r in iter_input_records(records)], pa.string())
    clusters = cluster_pairwise_predictions_at_threshold(
        pa.table({"unique_id": ids}),
        pairs.select(["unique_id_l", "unique_id_r", "match_probability"]),
        DuckDBAPI(),
        node_id_column_name="unique_id",
        threshold_match_probability=threshold,
    )
    table: pa.Table = clusters.as_pyarrow_table()
    return table.select(["unique_id", "cluster_id"]).sort_by("unique_id")


def model_fields(model_json: Mapping[str, Any]) -> tuple[str, ...]:
    """The canonical fields a model's comparisons read."""
    columns: set[str] = set()
    for comparison in model_json["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level["sql_condition"].strip().upper() != "ELSE":
                for node in parse_condition(level["sql_condition"]).find_all(exp.Column):
                    columns.add(column_side(node.name)[0])
    return tuple(
        f for f in CANONICAL_FIELDS if any(name in columns for name, _ in DERIVED_COLUMNS[f])
    )


def term_frequencies(records: RecordsInput, model_json: Mapping[str, Any]) -> TfTables:
    """The term frequencies the real-time scorer needs, over these records (the ones
    Splink predicts on, usually the whole index)."""
    prepared = prepare_records(records, model_fields(model_json))
    return compute_tf_tables(prepared, ModelParameters.from_json(model_json).tf_columns)


def explain_pair(
    pair: Mapping[str, Any], model_json: Mapping[str, Any]
) -> tuple[Contribution, ...]:
    """Why the model scored a predicted pair (a row of `predict`) as it did: for each
    comparison the level the pair fell in, its label and its log2 Bayes factor."""
    parameters = ModelParameters.from_json(model_json)
    gammas = {c.name: int(pair[f"gamma_{c.name}"]) for c in parameters.comparisons}
    tf = {c.name: float(pair.get(f"mw_tf_adj_{c.name}") or 0.0) for c in parameters.comparisons}
    return explain_gammas(parameters, gammas, tf)
