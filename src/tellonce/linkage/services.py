"""Linking agency records into persons: training a model and running the linkage.

- `linkage_model_train` trains on every agency record and stores the model as the next
  version, made active; which model produced which links is always known.
- `link_run` scores the records with the active model, clusters them (reviewers'
  decisions override the model: "same" joins two records, "not the same" keeps them
  apart), reconciles the clusters with existing persons so that IDs stay stable
  (`reconcile`), and in one transaction moves what changed: each agency record and
  every fact, involvement and relationship that came from it follow the record to its
  person; a merged person is archived with the reason; each merge, split and new person
  is recorded with the model version and the probability behind it. Pairs the model is
  unsure of go to the review queue.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import version as package_version
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from tellonce.audit.models import Action
from tellonce.audit.services import COMMAND_LINE, Via, audit_via
from tellonce.chronology.models import ChronologyEvent
from tellonce.involvements.models import Involvement
from tellonce.linkage.engine import model as engine
from tellonce.linkage.engine.clustering import (
    Clustering,
    ScoredPair,
    cluster_constrained,
    twin_conflicts,
)
from tellonce.linkage.engine.records import prepare_record
from tellonce.linkage.models import (
    Decision,
    LinkageModel,
    LinkEvent,
    LinkEventKind,
    LinkRun,
    ReviewDecision,
    ReviewPair,
)
from tellonce.linkage.reconcile import Reconciliation, reconcile
from tellonce.people.identifiers import normalise_postcode
from tellonce.people.models import (
    Address,
    AgencyRecord,
    HouseholdMember,
    IdentifierScheme,
    LinkMethod,
    NameKind,
    Person,
    PersonIdentifier,
    PersonName,
    Relationship,
    Residence,
    Sex,
)

if TYPE_CHECKING:
    from tellonce.accounts.models import User

#: How many ids go into one statement's IN list.
BATCH = 5000
#: Rows that came from an agency record, and so follow it to another person.
FOLLOW_THEIR_RECORD = (
    PersonName,
    PersonIdentifier,
    Residence,
    HouseholdMember,
    Involvement,
    ChronologyEvent,
)


class LinkageNotReadyError(Exception):
    """Linkage cannot run yet: says what to do first."""


# --- Records in the engine's terms ---------------------------------------------------


RECORD_FIELDS = (
    "pk",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "uprn",
    "address_line",
    "nhs_number",
    "upn",
    "national_id",
)


def agency_records_canonical(records: Iterable[Any] | None = None) -> list[dict[str, Any]]:
    """Every agency record (or those given, as value tuples) as the engine reads them."""
    rows = (
        records
        if records is not None
        else AgencyRecord.objects.order_by("pk").values_list(*RECORD_FIELDS).iterator(5000)
    )
    canonical = []
    for pk, given, family, born, sex, postcode, uprn, address, nhs, upn, national in rows:
        canonical.append(
            {
                "unique_id": str(pk),
                "given_name": given or None,
                "family_name": family or None,
                "date_of_birth": born.isoformat() if born else None,
                "sex": sex if sex in (Sex.FEMALE, Sex.MALE) else None,
                "postcode": postcode or None,
                "uprn": uprn or None,
                "address": address or None,
                "nhs_number": nhs or None,
                "upn": upn or None,
                "national_id": national or None,
            }
        )
    return canonical


# --- Training ------------------------------------------------------------------------


def linkage_model_train(
    *, by: User | None = None, seed: int = 1, via: Via = COMMAND_LINE
) -> LinkageModel:
    """Train on every agency record; store the model as the next version, active, with
    the thresholds of the model it replaces; index every record for it at once, so
    real-time matching goes on with the new model."""
    records = agency_records_canonical()
    if len(records) < 100:
        raise LinkageNotReadyError(
            f"There are {len(records)} agency records: import agencies' feeds first"
            " (tellonce import), a model needs at least 100 records to learn from."
        )
    settings_json = engine.train(records, seed=seed)
    frequencies = engine.term_frequencies(records, settings_json)
    with transaction.atomic():
        latest = LinkageModel.objects.aggregate(v=Max("version"))["v"] or 0
        previous = LinkageModel.objects.filter(is_active=True).first()
        thresholds = (
            {
                "match_threshold": previous.match_threshold,
                "review_threshold": previous.review_threshold,
            }
            if previous
            else {}
        )
        LinkageModel.objects.filter(is_active=True).update(is_active=False)
        trained = LinkageModel.objects.create(
            **thresholds,
            version=latest + 1,
            trained_by=by,
            splink_version=package_version("splink"),
            settings=settings_json,
            term_frequencies=frequencies,
            records_trained_on=len(records),
            is_active=True,
        )
        audit_via(
            via,
            user=by,
            action=Action.CHANGE,
            obj=trained,
            detail={"change": "linkage model trained", "records": len(records)},
        )
    from tellonce.linkage.matching import index_rebuild

    index_rebuild(trained, records)
    return trained


def linkage_thresholds_set(
    *,
    match: float | None = None,
    review: float | None = None,
    by: User | None = None,
    via: Via = COMMAND_LINE,
) -> LinkageModel:
    """Set the active model's grey zone: pairs at or above `match` are linked, pairs
    from `review` up to it go to review. Takes effect on the next run and arrival."""
    model = active_model()
    new_match = model.match_threshold if match is None else match
    new_review = model.review_threshold if review is None else review
    problems = {}
    for field, value in (("match", new_match), ("review", new_review)):
        if not 0 < value <= 1:
            problems[field] = f"must be a probability above 0 and at most 1, not {value}"
    if not problems and new_review >= new_match:
        problems["review"] = (
            f"must be below the match threshold ({new_match}): the grey zone runs from"
            " the review threshold up to the match threshold"
        )
    if problems:
        raise ValidationError(problems)
    before = (model.match_threshold, model.review_threshold)
    model.match_threshold, model.review_threshold = new_match, new_review
    with transaction.atomic():
        model.save(update_fields=["match_threshold", "review_threshold"])
        audit_via(
            via,
            user=by,
            action=Action.CHANGE,
            obj=model,
            detail={
                "change": "linkage thresholds",
                "before": {"match": before[0], "review": before[1]},
                "after": {"match": new_match, "review": new_review},
            },
        )
    return model


def active_model() -> LinkageModel:
    model = LinkageModel.objects.filter(is_active=True).first()
    if model is None:
        raise LinkageNotReadyError("No linkage model yet: train one with `tellonce link train`.")
    return model


# --- Clustering with reviewers' decisions --------------------------------------------


def _decisions() -> dict[frozenset[str], str]:
    """The decision in force on each pair: the newest."""
    in_force: dict[frozenset[str], str] = {}
    for left, right, decision in ReviewDecision.objects.order_by("decided_on").values_list(
        "left_id", "right_id", "decision"
    ):
        in_force[frozenset((str(left), str(right)))] = decision
    return in_force


def cluster_with_decisions(
    record_ids: Sequence[str],
    pairs: Sequence[ScoredPair],
    decisions: Mapping[frozenset[str], str],
    threshold: float,
    twins: Iterable[frozenset[str]] = (),
) -> Clustering:
    """Persons from scored pairs (`engine.clustering`): reviewers' "same" pairs join
    first; their "not the same" pairs and the possible `twins` are never in one person;
    a record that links to both of such a pair is held apart for a reviewer."""
    same = [p for p, d in decisions.items() if d == Decision.SAME]
    apart = [p for p, d in decisions.items() if d == Decision.NOT_SAME]
    return cluster_constrained(record_ids, pairs, threshold, same=same, apart=[*apart, *twins])


def _twin_conflicts(
    records: Sequence[Mapping[str, Any]], model: LinkageModel
) -> set[frozenset[str]]:
    from tellonce.linkage.matching import loaded

    model_data = loaded(model)
    prepared = (prepare_record(r, model_data.fields) for r in records)
    return twin_conflicts(prepared, model_data.scorer, model.match_threshold)


# --- The run -------------------------------------------------------------------------


def link_run(*, by: User | None = None, via: Via = COMMAND_LINE) -> LinkRun:
    """Link every agency record into persons with the active model."""
    model = active_model()
    started = time.perf_counter()
    records = agency_records_canonical()
    table = engine.predict(
        records, model.settings, threshold_match_probability=model.review_threshold
    )
    pairs = [
        ScoredPair(str(a), str(b), p, w)
        for a, b, p, w in zip(
            table.column("unique_id_l").to_pylist(),
            table.column("unique_id_r").to_pylist(),
            table.column("match_probability").to_pylist(),
            table.column("match_weight").to_pylist(),
            strict=True,
        )
    ]
    decisions = _decisions()
    record_ids = [r["unique_id"] for r in records]
    clustering = cluster_with_decisions(
        record_ids, pairs, decisions, model.match_threshold, _twin_conflicts(records, model)
    )
    clusters = clustering.clusters
    previous = {
        str(pk): str(person_id)
        for pk, person_id in AgencyRecord.objects.filter(person__isnull=False).values_list(
            "pk", "person_id"
        )
    }
    result = reconcile(previous, clusters, lambda: str(uuid.uuid4()))
    records_by_id = {r["unique_id"]: r for r in records}

    with transaction.atomic():
        run = LinkRun.objects.create(model=model, run_by=by, records=len(records))
        _persons_create(result, clusters, records_by_id)
        moved = _records_move(result, previous, decisions)
        _rows_follow(moved)
        facts_from_records(moved)
        _merged_persons_retire(result, run)
        best = _best_link_probability(pairs, clusters, model.match_threshold)
        events = _events_record(result, run, model, best)
        review = _review_queue_fill(table, pairs, clusters, decisions, model, run)
        run.pairs_scored = len(pairs)
        run.persons_new = len(result.new_persons)
        run.merges = len(result.merges)
        run.splits = len(result.splits)
        run.review_pairs = review
        run.finished_on = timezone.now()
        run.save()
        audit_via(
            via,
            user=by,
            action=Action.CHANGE,
            obj=run,
            detail={
                "change": "linkage run",
                "model_version": model.version,
                "records": len(records),
                "new_persons": run.persons_new,
                "merges": run.merges,
                "splits": run.splits,
                "review_pairs": review,
                "events": events,
                "seconds": round(time.perf_counter() - started, 1),
            },
        )
    _reported_involvements_follow(moved)
    from tellonce.linkage.matching import index_rebuild

    index_rebuild(model, records)
    return run


def _mode(values: Iterable[Any]) -> Any:
    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else None


def _persons_create(
    result: Reconciliation,
    clusters: Mapping[str, str],
    records: Mapping[str, Mapping[str, Any]],
) -> None:
    """A new person takes the details most of its records agree on; its provenance is
    the newest of those records."""
    if not result.new_persons:
        return
    by_cluster: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster in clusters.items():
        by_cluster[cluster].append(record_id)
    wanted = {int(r) for c in result.new_persons.values() for r in by_cluster[c]}
    provenance = {
        str(pk): (agency_id, system, received)
        for pk, agency_id, system, received in AgencyRecord.objects.filter(
            pk__in=wanted
        ).values_list("pk", "agency_id", "system", "received_on")
    }
    people = []
    for person_id, cluster in result.new_persons.items():
        members = [records[r] for r in by_cluster[cluster]]
        newest = max(by_cluster[cluster], key=lambda r: provenance[r][2])
        agency_id, system, received = provenance[newest]
        born = _mode(m["date_of_birth"] for m in members)
        people.append(
            Person(
                id=uuid.UUID(person_id),
                given_name=_mode(m["given_name"] for m in members) or "",
                family_name=_mode(m["family_name"] for m in members) or "",
                date_of_birth=born,
                sex=_mode(m["sex"] for m in members) or Sex.UNKNOWN,
                source_agency_id=agency_id,
                source_system=system,
                received_on=received,
                source_record_id=int(newest),
            )
        )
    Person.objects.bulk_create(people, batch_size=2000)


def _records_move(
    result: Reconciliation,
    previous: Mapping[str, str],
    decisions: Mapping[frozenset[str], str],
) -> dict[int, str]:
    """Point each record at its person; returns the records whose person changed."""
    reviewed = {int(r) for pair in decisions for r in pair}
    moved = {
        int(record): person
        for record, person in result.assignment.items()
        if previous.get(record) != person
    }
    current = dict(AgencyRecord.objects.values_list("pk", "link_method"))
    changes = []
    for key, person in result.assignment.items():
        record = int(key)
        method = LinkMethod.REVIEW if record in reviewed else LinkMethod.MODEL
        if record in moved or current.get(record) != method:
            changes.append((person, method, record))
    with connection.cursor() as cursor:
        table = AgencyRecord._meta.db_table
        person_value = (
            (lambda p: p)
            if connection.features.has_native_uuid_field
            else (lambda p: p.replace("-", ""))
        )
        cursor.executemany(
            f"UPDATE {table} SET person_id = %s, link_method = %s WHERE id = %s",  # noqa: S608
            [(person_value(p), m, r) for p, m, r in changes],
        )
    return moved


def _rows_follow(moved: Mapping[int, str]) -> None:
    """Facts, household memberships and involvements that came from a moved record go
    with it to its new person (read from the record, already moved: one statement per
    table and batch). Relationships stay: a record cannot say which side of a
    relationship it described; a reviewer corrects one after a split."""
    record_ids = sorted(moved)
    new_person = Subquery(
        AgencyRecord.objects.filter(pk=OuterRef("source_record_id")).values("person_id")[:1]
    )
    for start in range(0, len(record_ids), BATCH):
        batch = record_ids[start : start + BATCH]
        for model in FOLLOW_THEIR_RECORD:
            model.all_objects.filter(source_record_id__in=batch).update(person_id=new_person)


def facts_from_records(record_ids: Iterable[int]) -> int:
    """A newly linked record that has given its person nothing yet gives its name,
    identifiers and address, each sourced to the record (so that the person can be
    found by name and their record page shows what each agency holds)."""
    ids = list(record_ids)
    given = set(
        PersonName.all_objects.filter(source_record_id__in=ids).values_list(
            "source_record_id", flat=True
        )
    )
    records = AgencyRecord.objects.filter(pk__in=[r for r in ids if r not in given]).exclude(
        person=None
    )
    names, identifiers, residences = [], [], []
    records_list = list(records)
    addresses = _Addresses(records_list)
    for record in records_list:
        provenance = {
            "person_id": record.person_id,
            "source_agency_id": record.agency_id,
            "source_system": record.system,
            "received_on": record.received_on,
            "source_record_id": record.pk,
        }
        if record.given_name or record.family_name:
            name = PersonName(
                kind=NameKind.CURRENT,
                given_name=record.given_name,
                middle_names=record.middle_names,
                family_name=record.family_name,
                **provenance,
            )
            name.fill_search_keys()
            names.append(name)
        for scheme, value in (
            (IdentifierScheme.NHS_NUMBER, record.nhs_number),
            (IdentifierScheme.UPN, record.upn),
            (IdentifierScheme.POLICE_PERSON, record.police_ref),
            (IdentifierScheme.COUNCIL_CASE, record.council_ref),
        ):
            if value:
                identifiers.append(PersonIdentifier(scheme=scheme, value=value, **provenance))
        if record.postcode or record.uprn:
            residences.append(Residence(address=addresses.of(record), **provenance))
    PersonName.objects.bulk_create(names, batch_size=2000)
    PersonIdentifier.objects.bulk_create(identifiers, batch_size=2000)
    Residence.objects.bulk_create(residences, batch_size=2000)
    return len(names)


class _Addresses:
    """The address each record names: found by its UPRN, or by its line and postcode,
    or new. Read in two queries for all the records (a linkage run links thousands in
    the one transaction that holds SQLite's write lock), not two for each."""

    def __init__(self, records: Sequence[AgencyRecord]) -> None:
        uprns = {r.uprn for r in records if r.uprn}
        postcodes = {normalise_postcode(r.postcode) for r in records}
        self.by_uprn = {a.uprn: a for a in Address.objects.filter(uprn__in=uprns)}
        self.by_line: dict[tuple[str, str], Address] = {}
        for address in Address.objects.filter(postcode_norm__in=postcodes).order_by("pk"):
            self.by_line.setdefault((address.line_1, address.postcode_norm), address)

    def of(self, record: AgencyRecord) -> Address:
        if record.uprn and record.uprn in self.by_uprn:
            return self.by_uprn[record.uprn]
        line = record.address_line or "Address not recorded"
        key = (line, normalise_postcode(record.postcode))
        if key not in self.by_line:
            self.by_line[key] = Address.objects.create(
                uprn=record.uprn or None, line_1=line, town="", postcode=record.postcode
            )
            if record.uprn:
                self.by_uprn[record.uprn] = self.by_line[key]
        return self.by_line[key]


def _merged_persons_retire(result: Reconciliation, run: LinkRun) -> None:
    """A merged person's remaining rows move to the survivor; the person is archived."""
    now = timezone.now()
    for merge in result.merges:
        for model in FOLLOW_THEIR_RECORD:
            model.all_objects.filter(person_id=merge.merged).update(person_id=merge.survivor)
        merged, survivor = uuid.UUID(merge.merged), uuid.UUID(merge.survivor)
        Relationship.all_objects.filter(person_id=merged).update(person_id=survivor)
        Relationship.all_objects.filter(relative_id=merged).update(relative_id=survivor)
        Person.all_objects.filter(pk=merge.merged).update(
            archived_on=now,
            archive_reason=f"Merged into {merge.survivor} by linkage run {run.pk}",
        )


def _best_link_probability(
    pairs: Sequence[ScoredPair], clusters: Mapping[str, str], threshold: float
) -> dict[str, float]:
    """For each record, the strongest link that holds it in its cluster."""
    best: dict[str, float] = {}
    for pair in pairs:
        if pair.probability >= threshold and clusters[pair.left] == clusters[pair.right]:
            for record in (pair.left, pair.right):
                best[record] = max(best.get(record, 0.0), pair.probability)
    return best


def _events_record(
    result: Reconciliation, run: LinkRun, model: LinkageModel, best: Mapping[str, float]
) -> int:
    def probability(records: Iterable[str]) -> float | None:
        found = [best[r] for r in records if r in best]
        return max(found) if found else None

    events = [
        LinkEvent(
            kind=LinkEventKind.MERGE,
            run=run,
            model=model,
            person_id=merge.survivor,
            other_person_id=merge.merged,
            record_ids=[int(r) for r in merge.records],
            match_probability=probability(merge.records),
        )
        for merge in result.merges
    ]
    events += [
        LinkEvent(
            kind=LinkEventKind.SPLIT,
            run=run,
            model=model,
            person_id=split.source,
            other_person_id=split.to,
            record_ids=[int(r) for r in split.records],
            match_probability=probability(split.records),
        )
        for split in result.splits
    ]
    events += [
        LinkEvent(
            kind=LinkEventKind.NEW_PERSON,
            run=run,
            model=model,
            person_id=person,
            record_ids=[int(r) for r, p in result.assignment.items() if p == person][:50],
        )
        for person in result.new_persons
    ]
    LinkEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


def _review_queue_fill(
    table: Any,
    pairs: Sequence[ScoredPair],
    clusters: Mapping[str, str],
    decisions: Mapping[frozenset[str], str],
    model: LinkageModel,
    run: LinkRun,
) -> int:
    """Undecided pairs whose records ended up apart wait for a person: those in the grey
    zone, and those above the threshold that were not followed because one record could
    be either of two children (twins) or would join records a reviewer kept apart."""
    grey = [
        i
        for i, pair in enumerate(pairs)
        if model.review_threshold <= pair.probability
        and clusters[pair.left] != clusters[pair.right]
    ]
    # Only the grey zone's rows become Python objects: the whole table is millions.
    rows = dict(zip(grey, table.take(grey).to_pylist(), strict=True)) if grey else {}
    waiting = ReviewPair.objects.filter(decision__isnull=True)
    queued = {
        frozenset((str(left), str(right)))
        for left, right in waiting.values_list("left_id", "right_id")
    }
    new = []
    for index, row in rows.items():
        pair = pairs[index]
        key = frozenset((pair.left, pair.right))
        if key not in decisions and key not in queued:
            explanation = [
                {
                    "comparison": c.description,
                    "label": c.label,
                    "weight": round(c.match_weight, 3),
                }
                for c in engine.explain_pair(row, model.settings)
            ]
            left, right = sorted((int(pair.left), int(pair.right)))
            new.append(
                ReviewPair(
                    left_id=left,
                    right_id=right,
                    model=model,
                    run=run,
                    match_probability=pair.probability,
                    match_weight=pair.weight,
                    explanation=explanation,
                )
            )
    ReviewPair.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return len(new)


def _reported_involvements_follow(moved: Mapping[int, str]) -> None:
    """What feeds reported about involvements becomes register entries on the person
    each moved record now belongs to."""
    from tellonce.feeds.services import (
        reported_events_materialise,
        reported_involvements_materialise,
    )

    reported = AgencyRecord.objects.filter(
        pk__in=list(moved), reported_involvements__isnull=False
    ).distinct()
    for record in reported:
        reported_involvements_materialise(agency_record=record)
    with_events = AgencyRecord.objects.filter(
        pk__in=list(moved), reported_events__chronology_event__isnull=True
    ).distinct()
    for record in with_events.exclude(reported_events=None):
        reported_events_materialise(agency_record=record)
    _reported_family_follow(moved)


def _reported_family_follow(moved: Mapping[int, str]) -> None:
    """Who a moved record says its person lives with, and who names it as theirs,
    follows it to its person."""
    from tellonce.feeds.family import reported_family_materialise
    from tellonce.feeds.models import ReportedRelative

    named = ReportedRelative.objects.exclude(record_local_id="").values("record_local_id")
    family = AgencyRecord.objects.filter(pk__in=list(moved)).filter(
        Q(reported_family__isnull=False) | Q(local_id__in=named)
    )
    for record in family.distinct():
        reported_family_materialise(agency_record=record)
