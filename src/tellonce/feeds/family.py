"""The family as the agencies know it: households and relationships from the agencies'
own records.

An agency record (a feed row or `POST /api/v1/records/`) may say who the person lives
with and how they are related to the agency's other records:

- `household_ref`: the agency's own household or family reference (housing's household
  in temporary accommodation, a GP practice's registered household). Everyone on the
  agency's records with the same reference lives together.
- `relative<n>_record`, `relative<n>_is`, `relative<n>_parental_responsibility`,
  `relative<n>_lives_with`: another record of the same agency system, and what that
  person is to this one ("relative1_is: mother": the relative is this person's mother).
- `contact<n>_given_name`, `_family_name`, `_date_of_birth`, `_is`, `_phone`,
  `_parental_responsibility`, `_lives_with`: a person the record names (a pupil's
  parents and carers, as a school's system keeps them). Each becomes a record of its
  own, `<record id>#contact-<n>`, linked to a person like any other.

What a record says is kept as it said it (`ReportedFamily`, `ReportedRelative`) and,
once the records are linked to persons, becomes TellOnce relationships and household
memberships with their provenance (the agency, its system, the record): each agency's
word is kept beside any other's, and follows the agency's record when it changes (a
relationship it no longer states is archived; someone it no longer says lives there
has left). The people who live with someone are the household of the record's
`household_ref`, or else of the record itself; a relative or contact is in it when the
record says they live with the person. When someone joins a child's household, the
teams working with each of them are told of the others, as when an involvement starts
(`involvements.services.involvement_started_alerts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tellonce.feeds.mapping import CONTACTS, RELATIVES, FieldError
from tellonce.feeds.models import AgencyHousehold, ReportedFamily, ReportedRelative
from tellonce.involvements.models import Involvement
from tellonce.involvements.services import involvement_started_alerts
from tellonce.people.models import (
    AgencyRecord,
    Household,
    HouseholdMember,
    Person,
    Relationship,
    RelationshipKind,
)
from tellonce.people.selectors import household_of

#: What an agency may call a relationship, and the kind it is.
_KINDS = {k.value: k.value for k in RelationshipKind} | {
    "mum": RelationshipKind.MOTHER,
    "mam": RelationshipKind.MOTHER,
    "dad": RelationshipKind.FATHER,
    "step-mother": RelationshipKind.STEP_MOTHER,
    "stepmother": RelationshipKind.STEP_MOTHER,
    "step-father": RelationshipKind.STEP_FATHER,
    "stepfather": RelationshipKind.STEP_FATHER,
    "foster carer": RelationshipKind.FOSTER_CARER,
    "guardian": RelationshipKind.CARER,
    "grandmother": RelationshipKind.GRANDPARENT,
    "grandfather": RelationshipKind.GRANDPARENT,
    "nan": RelationshipKind.GRANDPARENT,
    "brother": RelationshipKind.SIBLING,
    "sister": RelationshipKind.SIBLING,
    "half-sibling": RelationshipKind.HALF_SIBLING,
    "half brother": RelationshipKind.HALF_SIBLING,
    "half sister": RelationshipKind.HALF_SIBLING,
    "step-sibling": RelationshipKind.STEP_SIBLING,
    "husband": RelationshipKind.PARTNER,
    "wife": RelationshipKind.PARTNER,
    "boyfriend": RelationshipKind.PARTNER,
    "girlfriend": RelationshipKind.PARTNER,
    "aunt": RelationshipKind.OTHER,
    "uncle": RelationshipKind.OTHER,
}
_KINDS_SAID = "mother, father, carer, foster carer, grandparent, sibling, partner or other"
CONTACT_MARK = "#contact-"


@dataclass(frozen=True)
class RelativeFacts:
    position: str
    record_local_id: str
    kind: str
    has_parental_responsibility: bool
    lives_with: bool
    phone: str = ""

    @property
    def stored(self) -> tuple[Any, ...]:
        return (
            self.position,
            self.record_local_id,
            self.kind,
            self.has_parental_responsibility,
            self.lives_with,
            self.phone,
        )


@dataclass(frozen=True)
class ContactRecord:
    """A contact the record names, as the record of its own it becomes."""

    local_id: str
    record: dict[str, Any]


@dataclass(frozen=True)
class FamilyFacts:
    household_ref: str
    relatives: tuple[RelativeFacts, ...]
    contacts: tuple[ContactRecord, ...]


def _kind(raw: Any) -> str | None:
    return _KINDS.get(" ".join(str(raw).split()).casefold()) if raw else None


def _kind_problem(name: str, values: Mapping[str, Any]) -> FieldError:
    said = "is not a relationship we know" if values.get(name) else "is missing"
    return FieldError(name, f"{said}: say what they are to the person ({_KINDS_SAID})")


def family_read(
    values: Mapping[str, Any], local_id: str, skip: set[str], problems: list[FieldError]
) -> FamilyFacts | None:
    """The family a row reports, with every problem by field; None when it reports
    none (and then what is stored is left as it is)."""
    said = [
        name
        for name in values
        if values.get(name) is not None
        and (name == "household_ref" or name.startswith(("relative", "contact")))
    ]
    if not said:
        return None
    relatives: list[RelativeFacts] = []
    contacts: list[ContactRecord] = []
    for n in range(1, RELATIVES + 1):
        prefix = f"relative{n}"
        if not any(name.startswith(prefix + "_") for name in said):
            continue
        other = values.get(f"{prefix}_record") or ""
        kind = _kind(values.get(f"{prefix}_is"))
        if not other and f"{prefix}_record" not in skip:
            problems.append(
                FieldError(f"{prefix}_record", "is missing: name the relative's record id")
            )
        elif other == local_id:
            problems.append(FieldError(f"{prefix}_record", "is the record itself"))
        if kind is None and f"{prefix}_is" not in skip:
            problems.append(_kind_problem(f"{prefix}_is", values))
        if other and other != local_id and kind is not None:
            relatives.append(
                RelativeFacts(
                    prefix,
                    other,
                    kind,
                    bool(values.get(f"{prefix}_parental_responsibility")),
                    bool(values.get(f"{prefix}_lives_with")),
                )
            )
    for n in range(1, CONTACTS + 1):
        prefix = f"contact{n}"
        if not any(name.startswith(prefix + "_") for name in said):
            continue
        given = values.get(f"{prefix}_given_name") or ""
        family = values.get(f"{prefix}_family_name") or ""
        kind = _kind(values.get(f"{prefix}_is"))
        for name, value in (("given_name", given), ("family_name", family)):
            if not value and f"{prefix}_{name}" not in skip:
                problems.append(FieldError(f"{prefix}_{name}", "is missing: a contact needs it"))
        if kind is None and f"{prefix}_is" not in skip:
            problems.append(_kind_problem(f"{prefix}_is", values))
        phone = values.get(f"{prefix}_phone") or ""
        if len(phone) > 40:
            problems.append(FieldError(f"{prefix}_phone", "is longer than 40 characters"))
        if given and family and kind is not None:
            contact_id = f"{local_id}{CONTACT_MARK}{n}"
            details = {
                "given_name": given,
                "family_name": family,
                "date_of_birth": values.get(f"{prefix}_date_of_birth"),
            }
            lives_with = bool(values.get(f"{prefix}_lives_with"))
            if lives_with:
                # Living with the person, the contact lives at the record's address: what
                # the linkage engine has to find them by beside their name.
                details |= {
                    attr: values[name]
                    for name, attr in (("postcode", "postcode"), ("address", "address_line"))
                    if values.get(name)
                }
            contacts.append(ContactRecord(contact_id, details))
            relatives.append(
                RelativeFacts(
                    prefix,
                    contact_id,
                    kind,
                    bool(values.get(f"{prefix}_parental_responsibility")),
                    bool(values.get(f"{prefix}_lives_with")),
                    phone[:40],
                )
            )
    household_ref = values.get("household_ref") or ""
    if len(household_ref) > 100:
        problems.append(FieldError("household_ref", "is longer than 100 characters"))
    return FamilyFacts(household_ref[:100], tuple(relatives), tuple(contacts))


# ----- landing what a row says


def family_land(
    reported: Iterable[tuple[int, int, FamilyFacts, int | None]],
    *,
    feed_id: int | None,
    received_on: Any,
) -> set[int]:
    """Store what each row says of the family ((row position, record id, facts, feed
    row)), replacing what its record said before; the positions of the rows that
    changed anything. Runs in the caller's transaction."""
    items = list(reported)
    stored = {
        f.agency_record_id: f
        for f in ReportedFamily.objects.filter(
            agency_record_id__in=[record_id for _, record_id, _, _ in items]
        )
    }
    said_before: dict[int, set[tuple[Any, ...]]] = {}
    for relative in ReportedRelative.objects.filter(family__in=list(stored.values())).exclude(
        kind=""
    ):
        said_before.setdefault(relative.family_id, set()).add(
            (
                relative.position,
                relative.record_local_id,
                relative.kind,
                relative.has_parental_responsibility,
                relative.lives_with,
                relative.phone,
            )
        )
    changed: set[int] = set()
    for position, record_id, facts, feed_row in items:
        family = stored.get(record_id)
        said = {r.stored for r in facts.relatives}
        if (
            family is not None
            and family.household_ref == facts.household_ref
            and said_before.get(family.pk, set()) == said
        ):
            continue
        changed.add(position)
        if family is None:
            family = stored[record_id] = ReportedFamily.objects.create(
                agency_record_id=record_id,
                household_ref=facts.household_ref,
                received_on=received_on,
                feed_id=feed_id,
                feed_row=feed_row,
            )
        else:
            ReportedFamily.objects.filter(pk=family.pk).update(
                household_ref=facts.household_ref,
                received_on=received_on,
                feed_id=feed_id,
                feed_row=feed_row,
                modified_on=timezone.now(),
            )
        # What the record says now replaces what it said: rows are never deleted, so a
        # position no longer said is kept, with no relationship (`kind` empty).
        for said_now in facts.relatives:
            ReportedRelative.objects.update_or_create(
                family=family,
                position=said_now.position,
                defaults={
                    "record_local_id": said_now.record_local_id,
                    "kind": said_now.kind,
                    "has_parental_responsibility": said_now.has_parental_responsibility,
                    "lives_with": said_now.lives_with,
                    "phone": said_now.phone,
                },
            )
        ReportedRelative.objects.filter(family=family).exclude(
            position__in=[r.position for r in facts.relatives]
        ).update(kind="", lives_with=False, modified_on=timezone.now())
    return changed


# ----- households and relationships on the persons


def reported_family_materialise(*, agency_record: AgencyRecord) -> None:
    """Make what a linked record (and every record of its system that names it) says of
    the family into relationships and household memberships on the persons, or bring
    them up to date; then tell the teams working with anyone who gained someone to live
    with of each other. Idempotent; for an unlinked record, nothing."""
    if agency_record.person_id is None:
        return
    naming = AgencyRecord.objects.filter(
        agency=agency_record.agency_id,
        system=agency_record.system,
        reported_family__relatives__record_local_id=agency_record.local_id,
        person__isnull=False,
    ).distinct()
    with transaction.atomic():
        joined: set[Any] = set()
        for record in [agency_record, *naming.exclude(pk=agency_record.pk)]:
            joined |= _materialise(record)
        if joined:
            _household_told(joined)


def _materialise(record: AgencyRecord) -> set[Any]:
    """One record's word; the persons who joined a household by it.

    A membership is sourced to the member's own record (the named record, or the
    contact's), so that if linkage moves a record to another person, the membership
    moves with it and no other (`linkage.services._rows_follow`); a relationship is
    sourced to the record that states it."""
    family = ReportedFamily.objects.filter(agency_record=record).first()
    if family is None:
        return set()
    relatives = list(family.relatives.exclude(record_local_id=""))
    said = [r for r in relatives if r.kind]
    named = {
        r.local_id: r
        for r in AgencyRecord.objects.filter(
            agency=record.agency_id,
            system=record.system,
            local_id__in=[r.record_local_id for r in relatives],
            person__isnull=False,
        )
    }
    provenance = {"source_agency_id": record.agency_id, "source_system": record.system}
    # Relationships: "the relative is the person's mother".
    kept: list[int] = []
    for relative in said:
        other = named.get(relative.record_local_id)
        if other is None or other.person_id is None or other.person_id == record.person_id:
            continue
        found, _ = Relationship.objects.update_or_create(
            person_id=other.person_id,
            relative_id=record.person_id,
            kind=relative.kind,
            source_record=record,
            defaults={
                **provenance,
                "has_parental_responsibility": relative.has_parental_responsibility,
                "received_on": family.received_on,
            },
        )
        kept.append(found.pk)
    Relationship.objects.filter(source_record=record).exclude(pk__in=kept).update(
        archived_on=timezone.now(),
        archive_reason="The agency's record no longer says so",
    )
    # The household: the record's own reference, or the record itself. Who lives in
    # it, each by their own record.
    assert record.person_id is not None
    living: dict[Any, int] = {record.person_id: record.pk}
    for relative in said:
        other = named.get(relative.record_local_id)
        if relative.lives_with and other is not None:
            living.setdefault(other.person_id, other.pk)
    own_key = f"record:{record.local_id}"
    ref = family.household_ref or (own_key if len(living) > 1 else "")
    today = timezone.localdate()
    joined: set[Any] = set()
    household = _agency_household(record, ref) if ref else None
    if household is not None:
        for person_id, source_id in living.items():
            if not HouseholdMember.objects.filter(
                household=household, person_id=person_id, left_on__isnull=True
            ).exists():
                joined.add(person_id)
            HouseholdMember.objects.get_or_create(
                household=household,
                person_id=person_id,
                source_record_id=source_id,
                left_on=None,
                defaults={**provenance, "joined_on": today, "received_on": family.received_on},
            )
    # Whoever the record no longer says lives with the person has left, as it says:
    # the person from any other household it put them in, and its named records from
    # its households unless their own records say they live there.
    ended = {"left_on": today, "modified_on": timezone.now()}
    HouseholdMember.objects.filter(source_record=record, left_on__isnull=True).exclude(
        household=household
    ).update(**ended)
    apart = {
        other.pk
        for other in named.values()
        if other.pk not in living.values()
        and not (
            family.household_ref
            and ReportedFamily.objects.filter(
                agency_record=other, household_ref=family.household_ref
            ).exists()
        )
    }
    stated = [
        h.household_id
        for h in AgencyHousehold.objects.filter(
            agency=record.agency_id, system=record.system, ref__in=[ref, own_key]
        )
    ]
    HouseholdMember.objects.filter(
        household__in=stated, source_record_id__in=apart, left_on__isnull=True
    ).update(**ended)
    HouseholdMember.objects.filter(
        household__in=[h for h in stated if household is None or h != household.pk],
        source_record_id__in=[pk for pk in living.values() if pk != record.pk],
        left_on__isnull=True,
    ).update(**ended)
    return joined


def _agency_household(record: AgencyRecord, ref: str) -> Household:
    found = (
        AgencyHousehold.objects.filter(agency=record.agency_id, system=record.system, ref=ref)
        .select_related("household")
        .first()
    )
    if found is not None:
        return found.household
    household = Household.objects.create()
    AgencyHousehold.objects.create(
        agency_id=record.agency_id, system=record.system, ref=ref, household=household
    )
    return household


def _household_told(joined: set[Any]) -> None:
    """Each current involvement with the people who joined a household, and with
    those they joined, alerts the teams working with the others it has not told yet
    (once per involvement and team, as when it started)."""
    circle = set(joined)
    for person in Person.objects.filter(pk__in=joined):
        circle |= {p.pk for p in household_of(person)}
    for involvement in (
        Involvement.objects.filter(person__in=circle, ended_on__isnull=True)
        .select_related("person", "team__agency", "practitioner")
        .order_by("pk")
    ):
        involvement_started_alerts(involvement)
