"""Real-time matching: the persons a single new record may be, ranked, in the web
process. Candidates come from the blocking-key index in the main database (the same
pairs Splink's blocking rules would make); scores come from the trained model's
parameters through the plain-Python `Scorer`, equal to Splink's own. No Splink linker
or DuckDB session is started per call.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Count

from tellonce.access.policy import visible_in_full
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.feeds.mapping import ColumnMapping, FieldError
from tellonce.linkage.engine.blocking import BlockingRule, blocking_rules, index_keys, query_keys
from tellonce.linkage.engine.model import model_fields
from tellonce.linkage.engine.records import prepare_record
from tellonce.linkage.engine.scorer import Contribution, Scorer
from tellonce.linkage.models import BlockingKey, LinkageModel
from tellonce.linkage.services import RECORD_FIELDS, active_model, agency_records_canonical
from tellonce.people.models import AgencyRecord, Person
from tellonce.people.selectors import UnnamedPerson, unnamed

if TYPE_CHECKING:
    from tellonce.accounts.models import User

CANDIDATE_LIMIT = 500
BATCH = 5000
#: What a caller may describe a person by, checked as a feed's values are.
MATCH_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "uprn",
    "nhs_number",
    "upn",
)
_MATCH_MAPPING = ColumnMapping.from_dict(
    {
        "record_id": {"value": "new"},
        **{name: name for name in MATCH_FIELDS},
        "date_of_birth": {"column": "date_of_birth", "format": "%Y-%m-%d"},
    }
)


def match_request_check(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """A described person in the engine's terms, and every problem by field."""
    unknown = sorted(set(data) - set(MATCH_FIELDS))
    values, problems = _MATCH_MAPPING.apply(data)
    problems += [FieldError(name, "is not a field we match on") for name in unknown]
    if not any(values.get(name) for name in MATCH_FIELDS):
        problems.append(FieldError("given_name", "describe the person: at least a name"))
    record = {name: values.get(name) for name in MATCH_FIELDS}
    if record["date_of_birth"] is not None:
        record["date_of_birth"] = record["date_of_birth"].isoformat()
    if record["sex"] == "U":
        record["sex"] = None
    return record, problems


def hashed(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=10).hexdigest()


@dataclass(frozen=True)
class _Loaded:
    version: int
    scorer: Scorer
    rules: tuple[BlockingRule, ...]
    fields: tuple[str, ...]


_loaded: dict[int, _Loaded] = {}
_lock = threading.Lock()


def loaded(model: LinkageModel) -> _Loaded:
    """The model's scorer and rules, built once per process and version."""
    with _lock:
        if model.version not in _loaded:
            _loaded.clear()
            _loaded[model.version] = _Loaded(
                version=model.version,
                scorer=Scorer(model.settings, model.term_frequencies),
                rules=tuple(blocking_rules(model.settings)),
                fields=tuple(model_fields(model.settings)),
            )
        return _loaded[model.version]


def index_rebuild(model: LinkageModel, records: Sequence[Mapping[str, Any]]) -> int:
    """Store every record under its blocking keys for `model` (the keys of earlier
    models are dropped: only the active model matches in real time). A batch of records
    at a time, each in a transaction of its own: a record's old keys give way to its new
    ones at once, so an arrival always finds it, and the write lock is never held for
    long (on SQLite the other workers wait for it)."""
    model_data = loaded(model)
    table = BlockingKey._meta.db_table
    BlockingKey.objects.exclude(model=model).delete()
    stored = 0
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        rows = [
            (model.pk, int(record["unique_id"]), hashed(key))
            for record in batch
            for key in set(index_keys(prepare_record(record, model_data.fields), model_data.rules))
        ]
        with transaction.atomic():
            BlockingKey.objects.filter(record_id__in=[int(r["unique_id"]) for r in batch]).delete()
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} (model_id, record_id, key) VALUES (%s, %s, %s)",  # noqa: S608
                    rows,
                )
        stored += len(rows)
    return stored


def index_add(model: LinkageModel, records: Sequence[Mapping[str, Any]]) -> int:
    """Add canonical records to the real-time index under `model`'s blocking keys (a
    record that arrived between link runs)."""
    model_data = loaded(model)
    keys = [
        BlockingKey(model=model, record_id=int(record["unique_id"]), key=hashed(key))
        for record in records
        for key in set(index_keys(prepare_record(record, model_data.fields), model_data.rules))
    ]
    BlockingKey.objects.bulk_create(keys, batch_size=BATCH)
    return len(keys)


@dataclass(frozen=True)
class Candidate:
    #: The person, or only their id for an agency system (`UnnamedPerson`).
    person: Person | UnnamedPerson
    match_probability: float
    match_weight: float
    contributions: tuple[Contribution, ...]
    full_access: bool


@dataclass(frozen=True)
class ScoredRecord:
    record_id: int
    person_id: Any
    score: Any


def candidates_for(record: Mapping[str, Any], model: LinkageModel) -> list[ScoredRecord]:
    """Every indexed record the new one could be, with its person and score, best first.
    Beyond `CANDIDATE_LIMIT`, the records sharing most blocking keys with it are kept."""
    model_data = loaded(model)
    prepared = prepare_record({"unique_id": "new", **record}, model_data.fields)
    keys = [hashed(k) for k in query_keys(prepared, model_data.rules)]
    if not keys:
        return []
    record_ids = list(
        BlockingKey.objects.filter(model=model, key__in=keys)
        .values("record_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "record_id")
        .values_list("record_id", flat=True)[:CANDIDATE_LIMIT]
    )
    rows = list(
        AgencyRecord.objects.filter(pk__in=record_ids).values_list(*RECORD_FIELDS, "person_id")
    )
    person_of = {row[0]: row[-1] for row in rows}
    canonical = agency_records_canonical(row[:-1] for row in rows)
    stored = [prepare_record(r, model_data.fields) for r in canonical]
    scores = model_data.scorer.score_many(prepared, stored)
    found = []
    for score in scores:
        record_id = int(str(score.unique_id_r))
        found.append(ScoredRecord(record_id, person_of[record_id], score))
    return found


@dataclass(frozen=True)
class RankedPerson:
    person_id: Any
    score: Any


def persons_ranked(
    record: Mapping[str, Any], model: LinkageModel, limit: int
) -> list[RankedPerson]:
    """The persons `record` may be, best first: each person's best-scoring record."""
    best: dict[Any, Any] = {}
    for candidate in candidates_for(record, model):
        person_id, score = candidate.person_id, candidate.score
        if person_id is not None and (
            person_id not in best or score.match_weight > best[person_id].match_weight
        ):
            best[person_id] = score
    ranked = sorted(best.items(), key=lambda item: -item[1].match_weight)[:limit]
    return [RankedPerson(pid, score) for pid, score in ranked]


def person_match(
    *, user: User, record: Mapping[str, Any], via: Via, limit: int = 10
) -> list[Candidate]:
    """The persons `record` may be, ranked by match probability, each with the evidence.
    Audited as a search; results the user may open in full are marked."""
    model = active_model()
    ranked = persons_ranked(record, model, limit)
    ids = [r.person_id for r in ranked]
    people = Person.objects.in_bulk(ids)
    visible = visible_in_full(user=user, person_ids=ids)
    # An agency system is told which person its record may be, never who they are.
    named = not user.is_system_account
    found = [
        Candidate(
            person=people[r.person_id]
            if named or r.person_id in visible
            else unnamed(people[r.person_id]),
            match_probability=r.score.match_probability,
            match_weight=r.score.match_weight,
            contributions=tuple(r.score.contributions),
            full_access=r.person_id in visible,
        )
        for r in ranked
        if r.person_id in people
    ]
    audit_via(
        via,
        user=user,
        action=Action.SEARCH,
        detail={
            "kind": "real-time match",
            "fields": sorted(k for k, v in record.items() if v),
            "results": len(found),
            "person_ids": [str(c.person.pk) for c in found],
            "model_version": model.version,
        },
    )
    return found
