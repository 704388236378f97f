"""Persons from scored pairs, without ever merging two children the evidence keeps apart.

Plain connected components at a threshold join everything a chain of links reaches, so
one ambiguous record can merge twins: Henry's GP record says "Harry" (his nickname),
which links it to Henry's other records (Henry and Harry are known variants) and to
his twin brother Harry's records (the same name, birthday and home). The pair Henry and
Harry themselves scores far below the threshold, but the chain joins them.

So clustering here works with constraints:

- *apart* pairs: two records that must never be in one person: a reviewer said they
  are not the same, or they look like twins (`twin_conflicts`: the twins comparison
  recognised the context, and the model, twins correction included, does not link
  them);
- *identifiers*: two records with different NHS numbers are two people (numbers are
  checked when they arrive, so a typo is rare; a child adopted gets a new number, and
  the old record must not be linked to the new), so no person holds two;
- *same* pairs: a reviewer said they are the same; these join first, whatever else;
- a record linked above the threshold to both records of an apart pair, or (having
  no identifier itself) to records with two different identifiers, is *held*: it could
  belong to either child, so none of its links is followed (it stays a person of its
  own, and its links wait for a reviewer);
- the rest join pair by pair, most certain first, never joining two groups that hold
  an apart pair or two identifiers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from tellonce.linkage.engine.records import RecordsInput, TfTables, prepare_records
from tellonce.linkage.engine.scorer import Scorer, match_weight_to_probability
from tellonce.linkage.engine.twins import TWINS, home_fields

#: The identifier no two people share: two records with different ones are two people.
IDENTIFIER = "nhs_number"


@dataclass(frozen=True)
class ScoredPair:
    left: str
    right: str
    probability: float
    weight: float


@dataclass
class Clustering:
    #: record id -> cluster id (the smallest record id of its group).
    clusters: dict[str, str]
    #: Records held apart because they link to two records that must stay apart.
    held: set[str] = field(default_factory=set)
    #: Pairs at or above the threshold that were not followed (held records' links,
    #: and links that would have joined an apart pair).
    refused: list[ScoredPair] = field(default_factory=list)


def _pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def twin_conflicts(
    records: Iterable[Mapping[str, Any]], scorer: Scorer, threshold: float
) -> set[frozenset[str]]:
    """Pairs of prepared records that could be twins and that the model does not link:
    born the same day, at the same home, with family names alike and given names
    neither the same nor variants nor a likely typo (the twins comparison's context),
    scoring below `threshold`. Empty when the model has no twins comparison."""
    if TWINS not in scorer.comparisons:
        return set()
    rows = list(records)
    present = {name for row in rows for name, value in row.items() if value is not None}
    conflicts: set[frozenset[str]] = set()
    for home in home_fields(present):
        groups: dict[tuple[Any, Any], list[Mapping[str, Any]]] = defaultdict(list)
        for row in rows:
            key = (row.get("date_of_birth"), row.get(home))
            if None not in key and row.get("given_name") is not None:
                groups[key].append(row)
        for members in groups.values():
            for i, left in enumerate(members):
                for right in members[i + 1 :]:
                    # Twins have different given names; most pairs here are one child.
                    if left["given_name"] == right["given_name"]:
                        continue
                    if scorer.gammas(left, right)[TWINS] < 0:
                        continue
                    probability = match_weight_to_probability(scorer.match_weight(left, right))
                    if probability < threshold:
                        conflicts.add(_pair(str(left["unique_id"]), str(right["unique_id"])))
    return conflicts


def cluster_constrained(
    record_ids: Sequence[str],
    pairs: Sequence[ScoredPair],
    threshold: float,
    *,
    same: Iterable[frozenset[str]] = (),
    apart: Iterable[frozenset[str]] = (),
    identifiers: Mapping[str, str] | None = None,
) -> Clustering:
    """Group records into persons: `same` pairs first, then every pair at or above
    `threshold`, most certain first, except the links of held records and any that
    would put an `apart` pair, or two of the records' `identifiers` (record id -> NHS
    number), in one group (see the module's docstring). A pair in both `same` and
    `apart` counts as same: a reviewer's word stands."""
    same_pairs = {p for p in same if len(p) == 2}
    apart_pairs = {p for p in apart if len(p) == 2} - same_pairs
    known = set(record_ids)
    identity = dict(identifiers or {})

    def conflicting(a: str, b: str) -> bool:
        return _pair(a, b) in apart_pairs or (
            a in identity and b in identity and identity[a] != identity[b]
        )

    above = [p for p in pairs if p.probability >= threshold]
    refused = [p for p in above if conflicting(p.left, p.right)]
    links = [p for p in above if not conflicting(p.left, p.right)]
    neighbours: dict[str, set[str]] = defaultdict(set)
    for link in links:
        neighbours[link.left].add(link.right)
        neighbours[link.right].add(link.left)
    held: set[str] = set()
    for conflict in apart_pairs:
        a, b = tuple(conflict)
        held |= neighbours.get(a, set()) & neighbours.get(b, set())
    for record, linked in neighbours.items():
        if record not in identity and len({identity[r] for r in linked if r in identity}) > 1:
            held.add(record)

    parent = {r: r for r in record_ids}
    members: dict[str, set[str]] = {r: {r} for r in record_ids}
    held_ids: dict[str, set[str]] = {r: {identity[r]} for r in record_ids if r in identity}
    keep_from: dict[str, set[str]] = defaultdict(set)  # group root -> records it must not join
    for conflict in apart_pairs:
        a, b = tuple(conflict)
        if a in known and b in known:
            keep_from[a].add(b)
            keep_from[b].add(a)

    def root(r: str) -> str:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    def join(a: str, b: str, forced: bool = False) -> bool:
        ra, rb = root(a), root(b)
        if ra == rb:
            return True
        if keep_from[ra] & members[rb]:
            return False
        ids_a, ids_b = held_ids.get(ra, set()), held_ids.get(rb, set())
        if ids_a and ids_b and not ids_a & ids_b and not forced:
            return False
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra] |= members.pop(rb)
        keep_from[ra] |= keep_from.pop(rb, set())
        if ids_a or ids_b:
            held_ids[ra] = ids_a | ids_b
        return True

    for a, b in sorted(tuple(sorted(p)) for p in same_pairs):
        if a in known and b in known:
            parent_a, parent_b = root(a), root(b)
            # A reviewer's "same" joins even groups kept apart by the model's evidence.
            if parent_a != parent_b:
                keep_from[parent_a] -= members[parent_b]
                keep_from[parent_b] -= members[parent_a]
            join(a, b, forced=True)

    for link in sorted(links, key=lambda p: (-p.probability, p.left, p.right)):
        if link.left not in known or link.right not in known:
            continue
        if _pair(link.left, link.right) in same_pairs:
            continue
        if link.left in held or link.right in held or not join(link.left, link.right):
            refused.append(link)
    clusters = {r: min(members[root(r)], key=_order) for r in record_ids}
    return Clustering(clusters=clusters, held=held & known, refused=refused)


def cluster_records(
    records: RecordsInput,
    pairs: pa.Table,
    model_json: Mapping[str, Any],
    tf_tables: TfTables,
    threshold: float,
) -> Clustering:
    """Persons from Splink's scored `pairs` of `records`, keeping possible twins apart:
    the batch path of `link evaluate` and of tests (the linkage run adds reviewers'
    decisions)."""
    from tellonce.linkage.engine.model import model_fields

    prepared = prepare_records(records, model_fields(model_json)).to_pylist()
    scored = [
        ScoredPair(str(a), str(b), p, w)
        for a, b, p, w in zip(
            pairs.column("unique_id_l").to_pylist(),
            pairs.column("unique_id_r").to_pylist(),
            pairs.column("match_probability").to_pylist(),
            pairs.column("match_weight").to_pylist(),
            strict=True,
        )
    ]
    conflicts = twin_conflicts(prepared, Scorer(model_json, tf_tables), threshold)
    ids = [str(r["unique_id"]) for r in prepared]
    return cluster_constrained(
        ids, scored, threshold, apart=conflicts, identifiers=identifiers_of(prepared)
    )


def identifiers_of(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Record id -> NHS number, for the records that have one."""
    return {str(r["unique_id"]): r[IDENTIFIER] for r in records if r.get(IDENTIFIER) is not None}


def _order(record_id: str) -> tuple[int, Any]:
    # Numeric ids (the database's) sort as numbers, others as text.
    return (0, int(record_id)) if record_id.isdigit() else (1, record_id)
