"""Stable person IDs across linkage runs.

A linkage run clusters agency records afresh; this module decides which existing person
each new cluster is, so that a re-run keeps every person's ID unless the evidence
changed, and says exactly what changed when it did:

- a cluster whose records all belonged to one person (plus any new records) keeps that
  person's ID;
- a cluster that joins records of several persons is a MERGE: the person with the most
  records in it survives (ties: the earliest ID in sort order) and the others are
  merged into it;
- a person whose records now fall into several clusters is SPLIT: the cluster holding
  most of them keeps the ID (ties: the cluster with the lowest record ID), the others
  become new persons (or join the persons they now match).

Pure functions over IDs: no database, no model, easy to test; `services` records the
events with the model version and probabilities that caused them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

RecordId = str
PersonId = str
ClusterId = str


@dataclass(frozen=True)
class Merge:
    survivor: PersonId
    merged: PersonId
    records: tuple[RecordId, ...]  # the merged person's records now with the survivor


@dataclass(frozen=True)
class Split:
    source: PersonId
    to: PersonId
    records: tuple[RecordId, ...]  # records that left `source` for `to`
    new_person: bool


@dataclass
class Reconciliation:
    assignment: dict[RecordId, PersonId]
    new_persons: dict[PersonId, ClusterId] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.new_persons or self.merges or self.splits)


def reconcile(
    previous: Mapping[RecordId, PersonId],
    clusters: Mapping[RecordId, ClusterId],
    new_person_id: Callable[[], PersonId],
) -> Reconciliation:
    """Assign a person to every record in `clusters`, reusing `previous` IDs."""
    members: dict[ClusterId, list[RecordId]] = defaultdict(list)
    for record, cluster in clusters.items():
        members[cluster].append(record)
    for records in members.values():
        records.sort()

    # Which cluster keeps each existing person: the one with most of its records.
    spread: dict[PersonId, Counter[ClusterId]] = defaultdict(Counter)
    for record, cluster in clusters.items():
        if record in previous:
            spread[previous[record]][cluster] += 1
    keeper: dict[PersonId, ClusterId] = {}
    kept_by: dict[ClusterId, list[PersonId]] = defaultdict(list)
    for person, counts in spread.items():
        keeper[person] = min(counts, key=lambda c: (-counts[c], members[c][0]))
        kept_by[keeper[person]].append(person)

    # Each cluster's person: a surviving kept person, or a new one.
    result = Reconciliation(assignment={})
    cluster_person: dict[ClusterId, PersonId] = {}
    for cluster in sorted(members, key=lambda c: members[c][0]):
        kept = sorted(kept_by[cluster], key=lambda p: (-spread[p][cluster], p))
        if kept:
            survivor = kept[0]
            for loser in kept[1:]:
                moved = tuple(r for r in members[cluster] if previous.get(r) == loser)
                result.merges.append(Merge(survivor, loser, moved))
        else:
            survivor = new_person_id()
            result.new_persons[survivor] = cluster
        cluster_person[cluster] = survivor
        for record in members[cluster]:
            result.assignment[record] = survivor

    # Records that left a person for a cluster it does not keep: splits.
    for person, counts in sorted(spread.items()):
        for cluster in sorted(counts, key=lambda c: members[c][0]):
            if cluster == keeper[person]:
                continue
            moved = tuple(r for r in members[cluster] if previous.get(r) == person)
            target = cluster_person[cluster]
            result.splits.append(Split(person, target, moved, target in result.new_persons))
    return result
