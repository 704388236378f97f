"""The real-time scorer: a trained Splink model applied to one pair of records in plain
Python, with no Splink linker and no DuckDB session.

Owns `ModelParameters` (a saved Splink model read the way Splink reads it: levels in
order, comparison vector values, m and u with Splink's defaults for missing ones, the
match weight of each level, term-frequency adjustment settings and the prior), the
`Contribution` and `Score` results, and `Scorer`, which evaluates each comparison's SQL
conditions through `engine.sql` and sums match weights exactly as the SQL Splink
generates does:

    match_weight = log2(λ / (1 - λ))
                   + Σ over comparisons [ log2(m / u) of the level the pair falls in
                                          + tf adjustment of that level ]
    tf adjustment = w * (log2(u of the exact-match level) - log2(max(tf_l, tf_r, u_min)))
                    when either record's value has a term frequency, else 0

where tf_l and tf_r are the term frequencies of each record's value of the level's
`tf_adjustment_column` (Splink's coalesce/greatest: a value missing from the table
takes the other side's frequency), w its `tf_adjustment_weight` and u_min its
`tf_minimum_u_value`. Splink 5 adds match weights, in this order, rather than
multiplying Bayes factors; so do we, and the results agree to the last bit.

Records given to the scorer must be prepared by `records.prepare_record`; the term
frequencies come from `records.compute_tf_tables` over the records Splink linked.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlglot import expressions as exp

from tellonce.linkage.engine.records import TfTables
from tellonce.linkage.engine.sql import (
    GammaFunction,
    column_side,
    compile_comparison,
    parse_condition,
)

#: Splink clamps m and u to this before taking logs.
_M_U_CLAMP_MIN = 1e-300
#: What Splink uses for an m or u of a level never observed in training.
_LEVEL_NOT_OBSERVED = 1e-6
#: Readable names of the comparisons. Splink 5 saves every comparison's description
#: as the name of the class that made it ("CustomComparison"), whatever it was given.
DESCRIPTIONS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "location": "Address",
    "nhs_number": "NHS number",
    "upn": "Unique pupil number",
    "national_id": "National identifier",
    "twins": "Could they be twins?",
}
_SPLINK_CLASS_DESCRIPTIONS = frozenset(
    ("CustomComparison", "ExactMatch", "JaroWinklerAtThresholds", "NameComparison")
)


def match_weight_to_probability(match_weight: float) -> float:
    """Splink's numerically stable 1 / (1 + 2^-w)."""
    if match_weight >= 0:
        return 1.0 / (1.0 + 2.0**-match_weight)
    power = 2.0**match_weight
    return power / (1.0 + power)


def probability_to_match_weight(probability: float) -> float:
    return math.log2(probability / (1 - probability)) if probability != 1 else math.inf


def _default_m_values(num_levels: int) -> list[float]:
    remainder = (1 - 0.95) / (num_levels - 1)
    return [remainder] * (num_levels - 1) + [0.95]


def _default_u_values(num_levels: int) -> list[float]:
    # As Splink's comparison_level._default_u_values: m over an interpolated weight.
    if num_levels == 2:
        weights = [-5.0]
    else:
        step = (3 - -5) / (num_levels - 2)
        weights = [-5 + i * step for i in range(num_levels - 1)]
    weights = [*weights, 10.0]
    return [m / 2**w for m, w in zip(_default_m_values(num_levels), weights, strict=True)]


def _probability(value: Any, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, str):  # "level not observed in training dataset"
        return _LEVEL_NOT_OBSERVED
    return float(value)


@dataclass(frozen=True)
class Level:
    """One comparison level as Splink evaluates it."""

    gamma: int
    label: str
    sql_condition: str
    is_null_level: bool
    m_probability: float | None
    u_probability: float | None
    #: log2(m / u): this level's contribution to the match weight (0 for a null level).
    match_weight: float
    tf_column: str | None = None
    tf_weight: float = 0.0
    tf_minimum_u: float = 0.0
    #: log2 of the u of the exact-match level the term frequency replaces.
    tf_log2_u_exact: float = 0.0

    @property
    def has_tf_adjustment(self) -> bool:
        return (
            self.tf_column is not None
            and self.tf_weight != 0
            and not self.is_null_level
            and self.sql_condition.strip().upper() != "ELSE"
        )


@dataclass(frozen=True)
class ComparisonParameters:
    name: str
    description: str
    levels: tuple[Level, ...]

    @property
    def has_tf_adjustments(self) -> bool:
        return any(level.tf_column for level in self.levels)

    def level(self, gamma: int) -> Level:
        for level in self.levels:
            if level.gamma == gamma:
                return level
        raise KeyError(f"{self.name} has no level {gamma}")


def _exact_match_column(sql_condition: str) -> str | None:
    # Splink's test for "the exact-match level" a tf adjustment is measured against:
    # the condition is `col_l = col_r` on one column.
    if sql_condition.strip().upper() == "ELSE":
        return None
    node = parse_condition(sql_condition.lower())
    while isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.EQ):
        return None
    left, right = node.this, node.expression
    if not (isinstance(left, exp.Column) and isinstance(right, exp.Column)):
        return None
    try:
        (base_a, side_a), (base_b, side_b) = column_side(left.name), column_side(right.name)
    except ValueError:
        return None
    return base_a if base_a == base_b and side_a != side_b else None


@dataclass(frozen=True)
class ModelParameters:
    """A saved Splink model (the dict `linker.misc.save_model_to_json` returns)."""

    probability_two_random_records_match: float
    comparisons: tuple[ComparisonParameters, ...]

    @property
    def prior_match_weight(self) -> float:
        return probability_to_match_weight(self.probability_two_random_records_match)

    @property
    def tf_columns(self) -> tuple[str, ...]:
        columns = {lv.tf_column for c in self.comparisons for lv in c.levels if lv.tf_column}
        return tuple(sorted(columns))

    @classmethod
    def from_json(cls, model: Mapping[str, Any]) -> ModelParameters:
        comparisons: list[ComparisonParameters] = []
        for comparison in model["comparisons"]:
            raw_levels = comparison["comparison_levels"]
            num_levels = sum(1 for lv in raw_levels if not lv.get("is_null_level"))
            default_m = _default_m_values(num_levels)
            default_u = _default_u_values(num_levels)
            # Comparison vector values count down from the first non-null level.
            gammas, next_gamma = [], num_levels - 1
            for raw in raw_levels:
                if raw.get("is_null_level"):
                    gammas.append(-1)
                else:
                    gammas.append(next_gamma)
                    next_gamma -= 1
            u_by_gamma = {
                g: _probability(raw.get("u_probability"), default_u[g])
                for raw, g in zip(raw_levels, gammas, strict=True)
                if g >= 0
            }
            levels = []
            for raw, gamma in zip(raw_levels, gammas, strict=True):
                is_null = bool(raw.get("is_null_level"))
                m = None if is_null else _probability(raw.get("m_probability"), default_m[gamma])
                u = None if is_null else u_by_gamma[gamma]
                weight = (
                    0.0
                    if is_null or m is None or u is None
                    else math.log2(max(m, _M_U_CLAMP_MIN) / max(u, _M_U_CLAMP_MIN))
                )
                tf_column = raw.get("tf_adjustment_column")
                tf_log2_u = 0.0
                if tf_column and not is_null:
                    if raw.get("disable_tf_exact_match_detection"):
                        u_exact = u
                    else:
                        u_exact = next(
                            (
                                u_by_gamma[g]
                                for other, g in zip(raw_levels, gammas, strict=True)
                                if g >= 0
                                and _exact_match_column(other["sql_condition"])
                                == str(tf_column).lower()
                            ),
                            None,
                        )
                    if u_exact is None:
                        raise ValueError(
                            f"No exact match level on {tf_column} for the term frequency "
                            f"adjustment in {comparison.get('output_column_name')}"
                        )
                    tf_log2_u = math.log2(u_exact)
                levels.append(
                    Level(
                        gamma=gamma,
                        label=raw.get("label_for_charts") or str(gamma),
                        sql_condition=raw["sql_condition"],
                        is_null_level=is_null,
                        m_probability=m,
                        u_probability=u,
                        match_weight=weight,
                        tf_column=tf_column,
                        tf_weight=float(raw.get("tf_adjustment_weight", 1.0)),
                        tf_minimum_u=float(raw.get("tf_minimum_u_value", 0.0)),
                        tf_log2_u_exact=tf_log2_u,
                    )
                )
            name = comparison.get("output_column_name") or f"comparison_{len(comparisons)}"
            description = comparison.get("comparison_description")
            if not description or description in _SPLINK_CLASS_DESCRIPTIONS:
                description = DESCRIPTIONS.get(name, name.replace("_", " ").capitalize())
            comparisons.append(
                ComparisonParameters(
                    name=name,
                    description=description,
                    levels=tuple(levels),
                )
            )
        return cls(
            probability_two_random_records_match=float(
                model["probability_two_random_records_match"]
            ),
            comparisons=tuple(comparisons),
        )


class Contribution(NamedTuple):
    """What one comparison says about a pair: "why we think this is the same child".

    A named tuple, not a dataclass: the scorer makes one per comparison per pair.
    """

    comparison: str
    description: str
    gamma: int
    label: str
    #: log2 of the level's Bayes factor (m / u); 0 when a value is missing.
    log2_bayes_factor: float
    #: The term-frequency adjustment on top: positive for a rare name, negative for a
    #: common one.
    tf_adjustment: float = 0.0

    @property
    def match_weight(self) -> float:
        return self.log2_bayes_factor + self.tf_adjustment


@dataclass(frozen=True)
class Score:
    unique_id_l: str | None
    unique_id_r: str | None
    match_weight: float
    match_probability: float
    contributions: tuple[Contribution, ...]


TfFunction = Callable[[int, Mapping[str, Any], Mapping[str, Any]], float]


def _tf_function(comparison: ComparisonParameters, tf_tables: TfTables) -> TfFunction | None:
    adjusted = {lv.gamma: lv for lv in comparison.levels if lv.has_tf_adjustment}
    if not comparison.has_tf_adjustments:
        return None
    log2 = math.log2

    def tf_adjustment(gamma: int, left: Mapping[str, Any], right: Mapping[str, Any]) -> float:
        level = adjusted.get(gamma)
        if level is None or level.tf_column is None:
            return 0.0
        column = level.tf_column
        table = tf_tables.get(column, {})
        value_l, value_r = left.get(column), right.get(column)
        # Splink: greatest(coalesce(tf_l, tf_r), coalesce(tf_r, tf_l), tf_minimum_u),
        # and no adjustment when neither value has a term frequency.
        known = [
            tf
            for tf in (
                None if value_l is None else table.get(value_l),
                None if value_r is None else table.get(value_r),
            )
            if tf is not None
        ]
        if not known:
            return 0.0
        return level.tf_weight * (level.tf_log2_u_exact - log2(max(*known, level.tf_minimum_u)))

    return tf_adjustment


@dataclass(frozen=True)
class _CompiledComparison:
    parameters: ComparisonParameters
    gamma: GammaFunction
    weights: Mapping[int, float]
    labels: Mapping[int, str]
    tf: TfFunction | None
    source: str


class Scorer:
    """Scores pairs of prepared records with a trained model, as Splink would.

    Build one per model (compiling takes milliseconds) and reuse it: it holds no state
    between calls except a cache of string similarities.
    """

    def __init__(self, model_json: Mapping[str, Any], tf_tables: TfTables):
        self.parameters = ModelParameters.from_json(model_json)
        self.tf_tables: TfTables = dict(tf_tables)
        self.prior = self.parameters.prior_match_weight
        compiled = []
        for comparison in self.parameters.comparisons:
            gamma, source = compile_comparison(
                [(level.sql_condition, level.gamma) for level in comparison.levels],
                comparison.name,
                self.tf_tables,
            )
            compiled.append(
                _CompiledComparison(
                    parameters=comparison,
                    gamma=gamma,
                    weights={level.gamma: level.match_weight for level in comparison.levels},
                    labels={level.gamma: level.label for level in comparison.levels},
                    tf=_tf_function(comparison, self.tf_tables),
                    source=source,
                )
            )
        self._compiled = tuple(compiled)
        self._steps = tuple((c.gamma, c.weights, c.tf) for c in compiled)

    @property
    def comparisons(self) -> tuple[str, ...]:
        return tuple(c.parameters.name for c in self._compiled)

    def gammas(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> dict[str, int]:
        """Each comparison's level for the pair (its comparison vector)."""
        return {c.parameters.name: c.gamma(left, right) for c in self._compiled}

    def match_weight(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> float:
        """The pair's match weight alone: the fast path for ranking."""
        total = self.prior
        for gamma_of, weights, tf in self._steps:
            gamma = gamma_of(left, right)
            total += weights[gamma]
            if tf is not None:
                total += tf(gamma, left, right)
        return total

    def score(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> Score:
        """Match weight, probability and the comparison-by-comparison explanation."""
        total = self.prior
        contributions = []
        for compiled in self._compiled:
            gamma = compiled.gamma(left, right)
            weight = compiled.weights[gamma]
            tf = compiled.tf(gamma, left, right) if compiled.tf is not None else 0.0
            # Summed in Splink's order (prior, then each comparison's weight and its
            # tf adjustment), so the floating-point result is the same.
            total += weight
            if compiled.tf is not None:
                total += tf
            parameters = compiled.parameters
            contributions.append(
                Contribution(
                    parameters.name,
                    parameters.description,
                    gamma,
                    compiled.labels[gamma],
                    weight,
                    tf,
                )
            )
        return Score(
            unique_id_l=left.get("unique_id"),
            unique_id_r=right.get("unique_id"),
            match_weight=total,
            match_probability=match_weight_to_probability(total),
            contributions=tuple(contributions),
        )

    def score_many(
        self,
        record: Mapping[str, Any],
        candidates: Iterable[Mapping[str, Any]],
        *,
        limit: int | None = None,
        threshold_match_probability: float | None = None,
    ) -> list[Score]:
        """Candidates scored against `record`, best first, with explanations.

        Every candidate's weight is computed on the fast path; only those returned are
        explained.
        """
        weight = self.match_weight
        weighed = [(weight(record, candidate), candidate) for candidate in candidates]
        if threshold_match_probability is not None:
            floor = probability_to_match_weight(threshold_match_probability)
            weighed = [pair for pair in weighed if pair[0] >= floor]
        weighed.sort(key=lambda pair: pair[0], reverse=True)
        if limit is not None:
            weighed = weighed[:limit]
        return [self.score(record, candidate) for _, candidate in weighed]

    def explain_gammas(
        self,
        gammas: Mapping[str, int],
        tf_adjustments: Mapping[str, float] | None = None,
    ) -> tuple[Contribution, ...]:
        """The explanation of a pair Splink scored, from its gamma_ (and mw_tf_adj_)
        columns: the same `Contribution`s `score` gives."""
        return explain_gammas(self.parameters, gammas, tf_adjustments)

    def sources(self) -> dict[str, str]:
        """The generated Python of each comparison, for reading."""
        return {c.parameters.name: c.source for c in self._compiled}


def explain_gammas(
    parameters: ModelParameters,
    gammas: Mapping[str, int],
    tf_adjustments: Mapping[str, float] | None = None,
) -> tuple[Contribution, ...]:
    contributions = []
    for comparison in parameters.comparisons:
        gamma = int(gammas[comparison.name])
        level = comparison.level(gamma)
        contributions.append(
            Contribution(
                comparison=comparison.name,
                description=comparison.description,
                gamma=gamma,
                label=level.label,
                log2_bayes_factor=level.match_weight,
                tf_adjustment=(tf_adjustments or {}).get(comparison.name) or 0.0,
            )
        )
    return tuple(contributions)
