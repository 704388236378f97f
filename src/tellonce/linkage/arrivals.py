"""Linking a record the moment it arrives, between nightly runs.

A record that arrives through the API is linked in the same request; the records of a
feed file are linked by a task once the file has landed (`tasks.feed_records_link`).
Each goes through the real-time path (`matching`): its candidates from the blocking-key
index, scored with the active model. Then, as the batch would:

- one person's records score at or above the match threshold, and no other person's
  do: the record joins that person (unless that person holds a different NHS number);
- two or more persons' records score that high: the record could be either child (a
  twin, a sibling): it becomes a person of its own and each pair waits for a reviewer;
- the best scores in the grey zone: a person of its own, the best pair to review;
- nothing close: a new person.

Either way the record is added to the index, so the next arrival finds it, and what it
says (names, identifiers, address, the involvements its feed reported) lands on its
person. Every outcome is a `LinkEvent` with the model version and probability. The
nightly run (`tasks.nightly_link_run`) later looks at all the evidence together and
may move the record; a record whose details change after it was linked waits for it.

With no model trained yet, records wait for the first `tellonce link run`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import transaction

from tellonce.linkage.engine.clustering import IDENTIFIER
from tellonce.linkage.matching import candidates_for, index_add
from tellonce.linkage.models import LinkageModel, LinkEvent, LinkEventKind, ReviewPair
from tellonce.linkage.services import (
    RECORD_FIELDS,
    LinkageNotReadyError,
    active_model,
    agency_records_canonical,
    facts_from_records,
)
from tellonce.people.models import AgencyRecord, LinkMethod, Person, Sex


class Outcome(StrEnum):
    LINKED = "linked"
    REVIEW = "new person, possible match waiting for review"
    NEW_PERSON = "new person"
    ALREADY_LINKED = "already linked"
    WAITING = "waiting for the first linkage run"


@dataclass(frozen=True)
class Arrival:
    record_id: int
    outcome: Outcome
    person_id: uuid.UUID | None
    match_probability: float | None = None


@dataclass
class _PersonScore:
    person_id: uuid.UUID
    record_id: int
    score: Any


def record_link(record_id: int) -> Arrival:
    """Link one agency record that has no person yet (see the module's docstring)."""
    try:
        model = active_model()
    except LinkageNotReadyError:
        return Arrival(record_id, Outcome.WAITING, None)
    with transaction.atomic():
        record = AgencyRecord.objects.select_for_update().get(pk=record_id)
        if record.person_id is not None:
            return Arrival(record_id, Outcome.ALREADY_LINKED, record.person_id)
        values = AgencyRecord.objects.filter(pk=record_id).values_list(*RECORD_FIELDS)
        canonical = agency_records_canonical(values)[0]
        persons = _persons_scored(canonical, record_id, model)
        confident = [p for p in persons if p.score.match_probability >= model.match_threshold]
        if len(confident) == 1:
            chosen = confident[0]
            _record_attach(record, chosen.person_id, LinkMethod.MODEL)
            arrival = Arrival(
                record_id, Outcome.LINKED, chosen.person_id, chosen.score.match_probability
            )
            _event(arrival, model, chosen.score.match_weight)
        else:
            doubtful = confident or [
                p for p in persons[:1] if p.score.match_probability >= model.review_threshold
            ]
            person = _person_from_record(record)
            _record_attach(record, person.pk, LinkMethod.MODEL)
            outcome = Outcome.REVIEW if doubtful else Outcome.NEW_PERSON
            best = persons[0].score if persons else None
            arrival = Arrival(
                record_id, outcome, person.pk, best.match_probability if best else None
            )
            _event(arrival, model, best.match_weight if best else None)
            _review_queue(record_id, doubtful, model)
        index_add(model, [canonical])
    _reported_involvements(record_id)
    return arrival


def contacts_link(record: AgencyRecord) -> None:
    """Link the contacts a record names (a pupil's parents: records of their own,
    `<record id>#contact-<n>`, `feeds.family`), which makes the relationships and the
    household it reports."""
    from tellonce.feeds.family import CONTACT_MARK

    contacts = AgencyRecord.objects.filter(
        agency=record.agency_id,
        system=record.system,
        local_id__startswith=f"{record.local_id}{CONTACT_MARK}",
        person__isnull=True,
    ).values_list("pk", flat=True)
    for contact_id in contacts:
        record_link(contact_id)


def records_link(record_ids: Iterable[int]) -> dict[Outcome, int]:
    """Link each record without a person; counts of each outcome."""
    counts: dict[Outcome, int] = {}
    for record_id in record_ids:
        outcome = record_link(record_id).outcome
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome is Outcome.WAITING:
            break
    return counts


def _persons_scored(
    canonical: dict[str, Any], record_id: int, model: LinkageModel
) -> list[_PersonScore]:
    """Each candidate person's best-scoring record, best first; persons holding another
    NHS number than the record's are not candidates (two numbers are two people)."""
    best: dict[uuid.UUID, _PersonScore] = {}
    for candidate in candidates_for(canonical, model):
        person_id, score = candidate.person_id, candidate.score
        if candidate.record_id == record_id or person_id is None:
            continue
        if person_id not in best or score.match_weight > best[person_id].score.match_weight:
            best[person_id] = _PersonScore(person_id, candidate.record_id, score)
    number = canonical.get(IDENTIFIER)
    if number and best:
        others = (
            AgencyRecord.objects.filter(person_id__in=list(best))
            .exclude(nhs_number="")
            .exclude(nhs_number=number)
            .values_list("person_id", flat=True)
        )
        for person_id in set(others):
            best.pop(person_id, None)
    return sorted(best.values(), key=lambda p: -p.score.match_weight)


def _record_attach(record: AgencyRecord, person_id: uuid.UUID, method: str) -> None:
    record.person_id = person_id
    record.link_method = method
    record.save(update_fields=["person", "link_method"])
    facts_from_records([record.pk])


def _person_from_record(record: AgencyRecord) -> Person:
    return Person.objects.create(
        given_name=record.given_name or "",
        family_name=record.family_name or "",
        date_of_birth=record.date_of_birth,
        sex=record.sex if record.sex in (Sex.FEMALE, Sex.MALE) else Sex.UNKNOWN,
        source_agency_id=record.agency_id,
        source_system=record.system,
        received_on=record.received_on,
        source_record_id=record.pk,
    )


def _event(arrival: Arrival, model: LinkageModel, weight: float | None) -> None:
    assert arrival.person_id is not None
    LinkEvent.objects.create(
        kind=LinkEventKind.ARRIVAL
        if arrival.outcome is Outcome.LINKED
        else LinkEventKind.NEW_PERSON,
        model=model,
        person_id=arrival.person_id,
        record_ids=[arrival.record_id],
        match_probability=arrival.match_probability,
        match_weight=weight,
    )


def _review_queue(record_id: int, doubtful: list[_PersonScore], model: LinkageModel) -> None:
    pairs = []
    for candidate in doubtful:
        left, right = sorted((record_id, candidate.record_id))
        pairs.append(
            ReviewPair(
                left_id=left,
                right_id=right,
                model=model,
                match_probability=candidate.score.match_probability,
                match_weight=candidate.score.match_weight,
                explanation=[
                    {
                        "comparison": c.description,
                        "label": c.label,
                        "weight": round(c.match_weight, 3),
                    }
                    for c in candidate.score.contributions
                ],
            )
        )
    ReviewPair.objects.bulk_create(pairs, ignore_conflicts=True)


def _reported_involvements(record_id: int) -> None:
    """What the record's feed reported (involvements, events) lands on its person."""
    from tellonce.feeds.family import reported_family_materialise
    from tellonce.feeds.services import (
        reported_events_materialise,
        reported_involvements_materialise,
    )

    record = AgencyRecord.objects.get(pk=record_id)
    if record.person_id is not None:
        if record.reported_involvements.exists():
            reported_involvements_materialise(agency_record=record)
        reported_events_materialise(agency_record=record)
        # Who the record says the person lives with, and who names it as theirs.
        reported_family_materialise(agency_record=record)


def record_person_ensure(record_id: int) -> Arrival:
    """Link a record that must have a person now (a child named in a contact to the
    MASH): as `record_link`, and before the first linkage run, a person of its own,
    which that run will look at again with everything else."""
    arrival = record_link(record_id)
    if arrival.outcome is not Outcome.WAITING:
        return arrival
    with transaction.atomic():
        record = AgencyRecord.objects.select_for_update().get(pk=record_id)
        if record.person_id is not None:
            return Arrival(record_id, Outcome.ALREADY_LINKED, record.person_id)
        person = _person_from_record(record)
        _record_attach(record, person.pk, LinkMethod.UNLINKED)
    return Arrival(record_id, Outcome.NEW_PERSON, person.pk)


def person_for_details(
    *,
    agency: Any,
    system: str,
    local_id: str,
    given_name: str,
    family_name: str,
    date_of_birth: Any,
    sex: str,
    postcode: str,
    nhs_number: str,
    received_on: Any = None,
) -> tuple[Person, Outcome]:
    """The person a child named by an agency by their details is: the details stored as
    a record of that agency, linked now (`record_person_ensure`). Shared by everything
    that names a child by details in one request (a contact, a police incident)."""
    from django.utils import timezone

    record = AgencyRecord.objects.create(
        agency=agency,
        system=system,
        local_id=local_id,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        sex=sex or Sex.UNKNOWN,
        postcode=postcode.strip().upper(),
        nhs_number=nhs_number,
        received_on=received_on or timezone.now(),
    )
    arrival = record_person_ensure(record.pk)
    assert arrival.person_id is not None
    return Person.objects.get(pk=arrival.person_id), arrival.outcome
