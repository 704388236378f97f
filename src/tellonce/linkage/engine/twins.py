"""The twins correction: a comparison that stops the model merging twins.

Splink adds up each comparison's evidence as if the comparisons were independent. For
most pairs that is close enough; for twins it is badly wrong. Twins share family name,
date of birth and home, and among pairs of *different* people those three agree
together hundreds of times more often than the product of their separate frequencies
says: every twin pair does. So a twin pair collects far more evidence for those three
agreements than they are jointly worth, and one different given name cannot outweigh
it. Uncorrected, most twins with no identifier on both records get merged.

This module owns the comparison that corrects it, appended to a trained model. Its
levels apply only to pairs in the "twin context":

- the same date of birth and the same home (same UPRN or same postcode; the address
  line where the data has neither);
- family names alike however agencies spelt or split them (the same, known variants, a
  shared part of a double-barrelled name, or Jaro-Winkler >= 0.8);
- given names that are neither the same, nor known variants, nor a likely typo of each
  other (one edit apart or very similar, and one of them rare in the data, or far
  rarer than the other: Olivia and Olvia is a typo; Layla and Lyla, both established
  names, could be twins);
- no shared NHS number, UPN or national identifier.

Its levels follow the given names: very similar (Jaro-Winkler >= 0.92), similar
(>= 0.8), different. Each level's weight is measured on the training data, not assumed:

    weight = log2(expected) - log2(observed)

where `observed` is the share of all record pairs that fall in the level (nearly all of
them twins), and `expected` is the share independence predicts: the product of the
u-probabilities (after term-frequency adjustment) of the levels those pairs take in the
given name, family name, date of birth and address comparisons, averaged in log space
over the pairs. Adding the weight brings such a pair's total to what the joint
frequencies say. One child's records that happen to look like this (an agency wrote an
entirely different given name, and no identifier is shared) are penalised too: they are
indistinguishable from twins, and a wrong merge is worse than a missed one.

The levels' parameters are fixed (Splink's training never touches them): the level's
u-probability is the observed share and its "m-probability" the expected share, so that
log2(m / u) is the correction. It is a correction, not a probability among matches, and
the comparison's description says so.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from tellonce.linkage.engine.records import TfTables
from tellonce.linkage.engine.scorer import ModelParameters, Scorer
from tellonce.linkage.engine.sql import compile_comparison, jaro_winkler, same, share
from tellonce.linkage.engine.sql import left as _l
from tellonce.linkage.engine.sql import right as _r

TWINS = "twins"
_HOME_FIELDS = ("uprn", "postcode", "address")
_IDENTIFIERS = ("nhs_number", "upn", "national_id")
#: The comparisons whose evidence the twin context double counts.
_CONTEXT_COMPARISONS = ("given_name", "family_name", "date_of_birth", "location")
#: A given name seen fewer times than this in the data may be a typo of the other...
_ESTABLISHED_NAME_COUNT = 3
#: ... as may one this many times rarer than the other: each of a common name's many
#: misspellings is hundreds of times rarer than it, while names like Layla and Lyla
#: are within a factor of ten of each other.
_TYPO_RATIO = 0.02


def _both_equal(column: str) -> str:
    # Never NULL, unlike `a = b`: inside NOT, a NULL would read as "not excluded".
    return f"({_l(column)} IS NOT NULL AND {_r(column)} IS NOT NULL AND {same(column)})"


def home_fields(fields: Sequence[str] | set[str]) -> tuple[str, ...]:
    """The fields that can show two records share a home: UPRN and postcode, or the
    address line where the data has neither."""
    homes = tuple(f for f in _HOME_FIELDS[:2] if f in fields)
    return homes or tuple(f for f in _HOME_FIELDS[2:] if f in fields)


def twins_levels(
    fields: Sequence[str] | set[str], established_name_tf: float
) -> list[dict[str, Any]] | None:
    """The twins comparison's levels (without parameters), or None when the data lacks
    the fields to recognise twins. `established_name_tf` is the term frequency below
    which a given name may be a typo rather than a name."""
    homes = home_fields(fields)
    if not homes or not {"given_name", "family_name", "date_of_birth"} <= set(fields):
        return None
    given, family, dob = "given_name", "family_name", "date_of_birth"
    tf_l, tf_r = _l(f"tf_{given}"), _r(f"tf_{given}")
    not_twins = [f"{_l(c)} IS NULL OR {_r(c)} IS NULL" for c in (given, family, dob)]
    not_twins += [
        f"{_l(dob)} <> {_r(dob)}",
        "NOT (" + " OR ".join(_both_equal(h) for h in homes) + ")",
        # Twins' family names, however one agency or another spelt or split them.
        f"NOT ({same(family)} OR {share(family + '_variants')}"
        f" OR {share(family + '_tokens')} OR {jaro_winkler(family)} >= 0.8)",
        *(same(i) for i in _IDENTIFIERS if i in fields),
        same(given),
        share(given + "_variants"),
        # Nearly the same name, one of them rare: a typo (Olivia and Olvia), not twins
        # called Layla and Lyla.
        f"(damerau_levenshtein({_l(given)}, {_r(given)}) <= 1 OR {jaro_winkler(given)} >= 0.92)"
        f" AND ({tf_l} IS NULL OR {tf_r} IS NULL"
        f" OR {tf_l} < {established_name_tf} OR {tf_r} < {established_name_tf}"
        f" OR {tf_l} < {_TYPO_RATIO} * {tf_r} OR {tf_r} < {_TYPO_RATIO} * {tf_l})",
    ]
    return [
        {
            "sql_condition": " OR ".join(f"({c})" for c in not_twins),
            "label_for_charts": "Not a possible twin pair",
            "is_null_level": True,
        },
        {
            "sql_condition": f"{jaro_winkler(given)} >= 0.92",
            "label_for_charts": "Could be twins: given names very similar",
        },
        {
            "sql_condition": f"{jaro_winkler(given)} >= 0.8",
            "label_for_charts": "Could be twins: similar given names",
        },
        {"sql_condition": "ELSE", "label_for_charts": "Could be twins: different given names"},
    ]


def _candidate_pairs(
    rows: Sequence[Mapping[str, Any]], homes: Sequence[str], link_only: bool
) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Pairs born the same day sharing any home field: a superset of the twin context."""
    seen: set[tuple[str, str]] = set()
    pairs = []
    for home in homes:
        groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = defaultdict(list)
        for row in rows:
            key = (row.get("date_of_birth"), row.get(home))
            if None not in key:
                groups[key].append(row)
        for members in groups.values():
            for i, left in enumerate(members):
                for right in members[i + 1 :]:
                    if link_only and left.get("source_dataset") == right.get("source_dataset"):
                        continue
                    ids = (left["unique_id"], right["unique_id"])
                    if ids not in seen:
                        seen.add(ids)
                        pairs.append((left, right))
    return pairs


def total_pairs(rows: Sequence[Mapping[str, Any]], link_only: bool) -> int:
    if not link_only:
        return len(rows) * (len(rows) - 1) // 2
    sizes: dict[Any, int] = defaultdict(int)
    for row in rows:
        sizes[row.get("source_dataset")] += 1
    total = sum(sizes.values())
    return (total * total - sum(n * n for n in sizes.values())) // 2


def add_twins_comparison(
    model: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    fields: Sequence[str] | set[str],
    tf_tables: TfTables,
) -> dict[str, Any]:
    """The trained model with the twins comparison appended, its weights measured on
    the prepared records `rows`; unchanged if the data cannot show twins."""
    given_names = sum(1 for row in rows if row.get("given_name") is not None)
    established = float(f"{_ESTABLISHED_NAME_COUNT / max(given_names, 1):.2g}")
    levels = twins_levels(fields, established)
    if levels is None:
        return dict(model)
    gammas = (-1, 2, 1, 0)
    gamma_of, _ = compile_comparison(
        [(lv["sql_condition"], g) for lv, g in zip(levels, gammas, strict=True)],
        TWINS,
        tf_tables,
    )
    scorer = Scorer(model, tf_tables)
    parameters = ModelParameters.from_json(model)
    m_by_level = {
        (c.name, lv.gamma): lv.m_probability for c in parameters.comparisons for lv in c.levels
    }
    link_only = model["link_type"] == "link_only"
    expected_logs: dict[int, list[float]] = {g: [] for g in gammas[1:]}
    for left, right in _candidate_pairs(rows, home_fields(fields), link_only):
        gamma = gamma_of(left, right)
        if gamma < 0:
            continue
        log_u = 0.0
        for contribution in scorer.score(left, right).contributions:
            m = m_by_level[(contribution.comparison, contribution.gamma)]
            if contribution.comparison in _CONTEXT_COMPARISONS and m is not None:
                # The u this comparison effectively used: m / 2^(its match weight).
                log_u += math.log2(m) - contribution.match_weight
        expected_logs[gamma].append(log_u)
    total = total_pairs(rows, link_only)
    corrections: dict[int, tuple[float, float]] = {}
    for gamma, logs in expected_logs.items():
        if logs:
            observed = len(logs) / total
            expected = 2 ** (sum(logs) / len(logs))
            # Never a bonus: if these pairs are rarer than independence predicts, the
            # other comparisons already score them fairly.
            corrections[gamma] = (min(expected, observed), observed)
    if not corrections:
        return dict(model)
    for gamma in gammas[1:]:
        # A level the data never showed borrows the nearest level's correction.
        if gamma not in corrections:
            nearest = min(corrections, key=lambda g: abs(g - gamma))
            corrections[gamma] = corrections[nearest]
    for level, gamma in zip(levels[1:], gammas[1:], strict=True):
        m, u = corrections[gamma]
        level.update(
            m_probability=m, u_probability=u, fix_m_probability=True, fix_u_probability=True
        )
    comparison = {
        "output_column_name": TWINS,
        "comparison_description": (
            "Twins correction: family name, date of birth and home agree far more often "
            "for twins than independence assumes (fixed weights measured on the data; "
            "the m-probability here is the share independence predicts)"
        ),
        "comparison_levels": levels,
    }
    return {**model, "comparisons": [*model["comparisons"], comparison]}
