"""The person's record as practitioners meet it: the record page's picture of a
person (names, identifiers, addresses, family and their involvements, who works with
them, the latest of their chronology), the flag (that they are known, and who to
contact), and search. Every function takes the acting user: access is decided by
`tellonce.access` (a 404 for someone who may not know of the person, the flag for
someone without a relationship) and every look is audited, so the pages, the API and
exports share one set of rules.

Search is tolerant of typos and part dates (name keys and Soundex in
`tellonce.people.names`), or takes any identifier; with a trained linkage model and a
full date of birth the model ranks the hits itself (`tellonce.linkage.matching`).
The flag names only the agency for sensitive involvements (CAMHS, police
investigation, youth justice: `involvements.models.SENSITIVE_CAPACITIES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tellonce.access.models import BreakGlassGrant
from tellonce.access.policy import Access, can_see_access_log, may_learn_who, visible_in_full
from tellonce.access.selectors import person_get_for_user, person_get_in_full
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.chronology.models import ChronologyEvent
from tellonce.core.dates import PartialDate
from tellonce.involvements.models import SENSITIVE_CAPACITIES, Involvement
from tellonce.linkage.engine.scorer import Contribution
from tellonce.linkage.matching import persons_ranked
from tellonce.linkage.models import LinkageModel, LinkEvent
from tellonce.linkage.review import can_unmerge, merges_of
from tellonce.people import identifiers, names
from tellonce.people.models import (
    CHILD_AGE_LIMIT,
    HouseholdMember,
    Person,
    PersonIdentifier,
    PersonName,
    Relationship,
    Residence,
)
from tellonce.people.selectors import possible_household_of, unnamed

if TYPE_CHECKING:
    from tellonce.accounts.models import User
    from tellonce.organisations.models import Agency, Team


SEARCH_RESULT_LIMIT = 25

SEARCH_CANDIDATE_LIMIT = 1000

SEARCH_THRESHOLD = 0.78


@dataclass
class FamilyMember:
    person: Person
    relationship: str
    household: bool
    #: Who works with them now: what anyone who may know of them may see (the flag).
    involvements: list[Involvement] = field(default_factory=list)
    #: Which agencies say so: each agency's word is kept, and shown, beside another's.
    said_by: list[str] = field(default_factory=list)
    #: Shares a current address, though no agency says they live together (0010).
    possible: bool = False

    def said(self, label: str, agency: str) -> None:
        """Another agency's word on who they are: a different one is shown beside."""
        labels = self.relationship.split(" or ") if self.relationship else []
        if label not in labels and self.relationship != "Lives in the household":
            self.relationship = " or ".join([*labels, label])
        elif self.relationship == "Lives in the household":
            self.relationship = label
        if agency and agency not in self.said_by:
            self.said_by.append(agency)


@dataclass
class PersonRecord:
    person: Person
    access: Access
    names: list[PersonName]
    identifiers: list[PersonIdentifier]
    residences: list[Residence]
    family: list[FamilyMember]
    involvements: list[Involvement]
    break_glass: list[BreakGlassGrant] = field(default_factory=list)
    #: Merges that made this person, for those who may undo one.
    merges: list[LinkEvent] = field(default_factory=list)
    #: The latest events of the multi-agency chronology (the page has them all).
    recent_events: list[ChronologyEvent] = field(default_factory=list)

    @property
    def current_involvements(self) -> list[Involvement]:
        return [i for i in self.involvements if i.ended_on is None]

    @property
    def lead_professional(self) -> Involvement | None:
        return next((i for i in self.current_involvements if i.is_lead_professional), None)


def _family_of(person: Person) -> dict[UUID, FamilyMember]:
    """The person's family and household, by person, without who works with them
    (`person_record` reads those with the person's own involvements, in one query)."""
    members: dict[UUID, FamilyMember] = {}
    # Both directions in one query.
    relationships = list(
        Relationship.objects.filter(Q(person=person) | Q(relative=person))
        .select_related("person", "relative", "source_agency")
        .order_by("pk")
    )
    incoming = [rel for rel in relationships if rel.relative_id == person.pk]
    outgoing = [rel for rel in relationships if rel.person_id == person.pk]
    for rel in incoming:
        # "Amina is the mother of <this child>": Amina is this child's mother.
        member = members.setdefault(rel.person.pk, FamilyMember(rel.person, "", False))
        member.said(rel.get_kind_display(), rel.source_agency.name)
    for rel in outgoing:
        # "<this person> is the mother of Yusuf": Yusuf is their child.
        label = rel.get_kind_display()
        if rel.kind in ("mother", "father", "step_mother", "step_father", "carer", "foster_carer"):
            label = "Child" if rel.kind in ("mother", "father") else f"Child ({label.lower()})"
        elif rel.kind == "grandparent":
            label = "Grandchild"
        member = members.setdefault(rel.relative.pk, FamilyMember(rel.relative, "", False))
        member.said(label, rel.source_agency.name)
    household_ids = HouseholdMember.objects.filter(person=person, left_on__isnull=True).values(
        "household_id"
    )
    housemates = (
        HouseholdMember.objects.filter(household_id__in=household_ids, left_on__isnull=True)
        .exclude(person=person)
        .select_related("person", "source_agency")
    )
    for housemate in housemates:
        found = members.setdefault(
            housemate.person.pk, FamilyMember(housemate.person, "Lives in the household", True)
        )
        found.household = True
        if housemate.source_agency.name not in found.said_by:
            found.said_by.append(housemate.source_agency.name)
    # Where no agency says so, those who share a current address (decision 0010).
    for mate in possible_household_of(person, besides=set(members)):
        members[mate.person.pk] = FamilyMember(
            mate.person,
            "May live with them: "
            + ("the same property (UPRN)" if mate.basis == "uprn" else "the same address"),
            False,
            possible=True,
        )
    return members


#: How many of the latest chronology events the record page shows.
RECENT_EVENTS = 5


def person_record(*, user: User, person_id: UUID | str, via: Via) -> PersonRecord:
    """The full record, for a user with a legitimate relationship. Raises `Http404`
    for a user who may not know of the person and `FlagOnlyError` for one who may see
    only the flag. Every successful look is audited."""
    person, access = person_get_in_full(user=user, person_id=person_id, via=via)
    provenance = ("source_agency", "recorded_by")
    members = _family_of(person)
    # The person's involvements (ended within a year too) and their family's current
    # ones, in one query: the page is read more than any other.
    involvements = list(
        (
            person.involvements.active(grace_days=365)
            | Involvement.objects.current().filter(person_id__in=list(members))
        )
        .select_related("team__agency", "practitioner")
        .order_by("ended_on", "-started_on")
    )
    for involvement in sorted(involvements, key=lambda i: i.started_on):
        if involvement.person_id in members:
            members[involvement.person_id].involvements.append(involvement)
    record = PersonRecord(
        person=person,
        access=access,
        names=list(person.names.select_related(*provenance).order_by("kind", "-used_from")),
        identifiers=list(person.identifiers.select_related(*provenance)),
        residences=list(person.residences.select_related("address", *provenance)),
        family=sorted(
            members.values(),
            key=lambda m: (m.person.date_of_birth or date.min, m.person.given_name),
        ),
        involvements=[i for i in involvements if i.person_id == person.pk],
    )
    record.recent_events = list(
        ChronologyEvent.objects.filter(person=person)
        .select_related("source_agency")
        .order_by("-occurred_on", "-occurred_at", "-pk")[:RECENT_EVENTS]
    )
    if can_unmerge(user):
        record.merges = list(merges_of(person=person).select_related("model")[:20])
    if can_see_access_log(user, person, access):
        record.break_glass = list(
            BreakGlassGrant.objects.filter(person=person).select_related("user__team__agency")[:20]
        )
    audit_via(
        via,
        user=user,
        action=Action.VIEW,
        person=person,
        obj=person,
        detail={"basis": str(access.basis)},
    )
    return record


def identifier_get_for_user(
    *, user: User, person_id: UUID | str, identifier_id: int
) -> PersonIdentifier:
    """One of a person's identifiers, for someone who may know of the person (changing
    it is `services.identifier_archive`'s to allow); a 404 otherwise."""
    person, _ = person_get_for_user(user=user, person_id=person_id)
    identifier = person.identifiers.filter(pk=identifier_id).first()
    if identifier is None:
        raise Http404("No such identifier")
    return identifier


@dataclass(frozen=True)
class FlagContact:
    agency: Agency
    team: Team | None
    phone: str
    email: str


@dataclass
class PersonFlag:
    person: Person
    access: Access
    contacts: list[FlagContact]

    @property
    def is_known(self) -> bool:
        return bool(self.contacts)


def flag_contacts(person: Person) -> list[FlagContact]:
    contacts: dict[tuple[int, int | None], FlagContact] = {}
    current = Involvement.objects.current().filter(person=person).select_related("team__agency")
    for inv in current:
        agency = inv.team.agency
        if inv.capacity in SENSITIVE_CAPACITIES:
            contacts.setdefault(
                (agency.pk, None), FlagContact(agency, None, agency.phone, agency.email)
            )
        else:
            contacts.setdefault(
                (agency.pk, inv.team.pk),
                FlagContact(agency, inv.team, inv.team.phone, inv.team.email),
            )
    return sorted(contacts.values(), key=lambda c: (c.agency.name, c.team.name if c.team else ""))


def person_flag(*, user: User, person_id: UUID | str, via: Via) -> PersonFlag:
    """That the person is known, which agencies are involved and how to reach them."""
    person, access = person_get_for_user(user=user, person_id=person_id, via=via)
    audit_via(via, user=user, action=Action.VIEW_FLAG, person=person, obj=person)
    shown: Any = person if may_learn_who(user, access) else unnamed(person)
    return PersonFlag(person=shown, access=access, contacts=flag_contacts(person))


class SearchNotAllowedError(Exception):
    pass


@dataclass(frozen=True)
class PersonQuery:
    given_name: str = ""
    family_name: str = ""
    date_of_birth: PartialDate | None = None
    identifier: str = ""

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> PersonQuery:
        """From a form's or a serializer's cleaned data, trimmed."""
        return cls(
            given_name=(data.get("given_name") or "").strip(),
            family_name=(data.get("family_name") or "").strip(),
            date_of_birth=data.get("date_of_birth"),
            identifier=(data.get("identifier") or "").strip(),
        )

    @property
    def fields_used(self) -> list[str]:
        used = [
            ("given_name", self.given_name),
            ("family_name", self.family_name),
            ("date_of_birth", self.date_of_birth),
            ("identifier", self.identifier),
        ]
        return [name for name, value in used if value]

    def problems(self) -> dict[str, str]:
        """Why this query is not specific enough to run, by field."""
        if self.identifier:
            if identifiers.looks_like_nhs_number(self.identifier):
                try:
                    identifiers.normalise_nhs_number(self.identifier)
                except identifiers.InvalidIdentifierError as exc:
                    return {"identifier": str(exc)}
            if not identifiers.guess_schemes(self.identifier):
                return {
                    "identifier": (
                        "Enter a valid NHS number (10 digits), unique pupil number"
                        " (13 characters) or police or council reference"
                    )
                }
            return {}
        if not self.family_name:
            return {"family_name": "Enter a last name, or search by NHS number or reference"}
        if not (self.given_name or self.date_of_birth):
            return {
                "given_name": (
                    "Enter a first name or a date of birth as well as the last name,"
                    " so the search finds the child you are looking for"
                )
            }
        return {}


@dataclass(frozen=True)
class SearchHit:
    person: Person
    score: float
    full_access: bool
    #: What was really compared: "name only (first and last name; no date of birth was
    #: given)", "last name and year of birth", "NHS number", "the linkage model…".
    matched_on: str
    #: The linkage model's evidence, comparison by comparison, when it ranked the hit.
    explanation: tuple[Contribution, ...] = ()

    @property
    def age(self) -> str:
        """How old and whether a child: "8, child", "8 months, child", "29, adult", or
        "Age not known". "Find a child" finds adults too, and says so."""
        born = self.person.date_of_birth
        if born is None:
            return "Age not known"
        kind = "child" if self.person.is_child else "adult"
        today = timezone.localdate()
        years = self.person.age_on(today) or 0
        if years >= 1:
            return f"{years}, {kind}"
        months = (today.year - born.year) * 12 + today.month - born.month
        months -= today.day < born.day
        return f"{months} month{'' if months == 1 else 's'}, {kind}"


@dataclass(frozen=True)
class SearchResults:
    """The hits shown, and how many matched before the cut at `SEARCH_RESULT_LIMIT`."""

    hits: list[SearchHit]
    #: How many people matched; a floor where `at_least` (too many names to score).
    total: int
    at_least: bool = False
    #: What the searcher could add to narrow a long list ("a date of birth").
    narrow_by: str = ""

    @property
    def is_cut(self) -> bool:
        return self.total > len(self.hits)


#: A person the linkage model thinks this unlikely is not shown at all.
MODEL_SEARCH_FLOOR = 0.5


def _model_ranked(query: PersonQuery) -> dict[Any, tuple[float, str, tuple[Contribution, ...]]]:
    """With a trained model and a full date of birth, rank by the model itself."""
    model = LinkageModel.objects.filter(is_active=True).first()
    dob = query.date_of_birth
    if model is None or dob is None or not dob.is_complete:
        return {}
    record = {
        "given_name": query.given_name or None,
        "family_name": query.family_name,
        "date_of_birth": dob.as_date().isoformat(),
    }
    names_compared = "first name, last name" if query.given_name else "last name"
    # Every candidate is ranked, so that the page can say how many there were.
    return {
        r.person_id: (
            r.score.match_probability,
            f"the linkage model, on {names_compared} and date of birth",
            tuple(r.score.contributions),
        )
        for r in persons_ranked(record, model, SEARCH_CANDIDATE_LIMIT)
        if r.score.match_probability >= MODEL_SEARCH_FLOOR
    }


def _compared(query: PersonQuery, person: Person) -> str:
    """What a name search really compared for this person, in words."""
    by_name = "first and last name" if query.given_name else "last name"
    dob = query.date_of_birth
    if dob is None:
        return f"name only ({by_name}; no date of birth was given)"
    if person.date_of_birth is None:
        return f"name only ({by_name}; their record has no date of birth)"
    if dob.is_complete:
        which = "date of birth"
    elif dob.month is not None:
        which = "month and year of birth"
    else:
        which = "year of birth"
    return f"{by_name} and {which}"


def _adults_among(person_ids: list[Any]) -> set[Any]:
    """Which of these people are not known to be children (adults, or age unknown)."""
    today = timezone.localdate()
    return {
        pk
        for pk, born in Person.objects.filter(pk__in=person_ids).values_list("pk", "date_of_birth")
        if born is None
        or today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        >= CHILD_AGE_LIMIT
    }


def _narrow_by(query: PersonQuery) -> str:
    """What would narrow a long list of name matches."""
    if query.identifier:
        return ""
    if query.date_of_birth is None:
        return "a date of birth"
    if not query.date_of_birth.is_complete:
        return "the full date of birth"
    if not query.given_name:
        return "a first name"
    return ""


def _score(query: PersonQuery, person: Person, person_names: list[PersonName]) -> float:
    parts: list[tuple[float, float]] = []  # (weight, similarity)
    if query.family_name:
        best = max(
            (names.similarity(query.family_name, n.family_name) for n in person_names), default=0
        )
        parts.append((2.0, best))
    if query.given_name:
        best = max(
            (
                max(
                    names.similarity(query.given_name, n.given_name),
                    1.0 if names.sound(query.given_name) == n.given_name_sound else 0.0,
                )
                for n in person_names
            ),
            default=0,
        )
        parts.append((1.5, best))
    if query.date_of_birth:
        parts.append((2.0, query.date_of_birth.closeness(person.date_of_birth)))
    total_weight = sum(w for w, _ in parts)
    return sum(w * s for w, s in parts) / total_weight if total_weight else 0.0


def _candidates_by_name(query: PersonQuery) -> QuerySet[PersonName]:
    family_norm = names.normalise(query.family_name)
    by_family = Q(family_name_sound=names.sound(query.family_name)) | Q(
        family_name_norm__startswith=family_norm[:3]
    )
    condition = by_family
    if query.given_name:
        given_norm = names.normalise(query.given_name)
        condition &= Q(given_name_sound=names.sound(query.given_name)) | Q(
            given_name_norm__startswith=given_norm[:1]
        )
    dob = query.date_of_birth
    if dob is not None:
        years = [dob.year - 1, dob.year, dob.year + 1]
        condition &= Q(person__date_of_birth__year__in=years) | Q(
            person__date_of_birth__isnull=True
        )
        if dob.is_complete and query.given_name:
            # A child known by another surname: same first name sound and date of birth.
            dates = [d for d in (dob.as_date(), dob.swapped()) if d]
            condition |= Q(given_name_sound=names.sound(query.given_name)) & Q(
                person__date_of_birth__in=dates
            )
    return PersonName.objects.filter(condition)


def person_search(*, user: User, query: PersonQuery, via: Via) -> list[SearchHit]:
    """Find people by name and (partial) date of birth, tolerant of typos, or by any
    identifier. Results the user may see in full are marked; the rest link to the flag."""
    return person_search_results(user=user, query=query, via=via).hits


def person_search_results(*, user: User, query: PersonQuery, via: Via) -> SearchResults:
    """`person_search`, with how many matched beyond the first `SEARCH_RESULT_LIMIT`
    and what each hit was matched on (the search page says both)."""
    if not user.is_authenticated or not user.does_casework:
        raise SearchNotAllowedError("Your role does not include searching for people")
    if user.is_system_account:
        raise SearchNotAllowedError(
            "Agency systems do not search for people: send your record"
            " (POST /api/v1/records/) or ask which person it is (POST /api/v1/people/match/)"
        )
    if query.problems():
        raise ValueError(query.problems())

    scored: dict[UUID, tuple[float, str]] = {}
    evidence: dict[Any, tuple[Contribution, ...]] = {}
    too_many_names = False
    ranked_by_model = {} if query.identifier else _model_ranked(query)
    if ranked_by_model:
        for person_id, (probability, matched_on, contributions) in ranked_by_model.items():
            scored[person_id] = (probability, matched_on)
            evidence[person_id] = contributions
    elif query.identifier:
        for scheme, value in identifiers.guess_schemes(query.identifier):
            for person_id in PersonIdentifier.objects.filter(
                scheme=scheme, value=value
            ).values_list("person_id", flat=True):
                scored[person_id] = (1.0, identifiers.IDENTIFIER_LABELS[scheme])
    else:
        person_ids = list(
            _candidates_by_name(query)
            .values_list("person_id", flat=True)
            .distinct()[:SEARCH_CANDIDATE_LIMIT]
        )
        too_many_names = len(person_ids) == SEARCH_CANDIDATE_LIMIT
        candidates = Person.objects.filter(pk__in=person_ids).prefetch_related(
            Prefetch("names", queryset=PersonName.objects.all(), to_attr="all_names")
        )
        for person in candidates:
            score = _score(query, person, person.all_names)  # type: ignore[attr-defined]
            if score >= SEARCH_THRESHOLD:
                scored[person.pk] = (score, _compared(query, person))

    # "Find a child": among people as alike, children first, so that forty adults of
    # the same name do not push the child past the cut.
    adults = _adults_among(list(scored))
    ranked = sorted(scored.items(), key=lambda item: (-item[1][0], item[0] in adults))[
        :SEARCH_RESULT_LIMIT
    ]
    ids = [pid for pid, _ in ranked]
    people = Person.objects.in_bulk(ids)
    visible = visible_in_full(user=user, person_ids=ids)
    hits = [
        SearchHit(people[pid], round(score, 3), pid in visible, matched_on, evidence.get(pid, ()))
        for pid, (score, matched_on) in ranked
        if pid in people
    ]
    audit_via(
        via,
        user=user,
        action=Action.SEARCH,
        detail={
            "fields": query.fields_used,
            "results": len(hits),
            "matched": len(scored),
            "person_ids": [str(h.person.pk) for h in hits],
        },
    )
    return SearchResults(hits, len(scored), too_many_names, _narrow_by(query))
