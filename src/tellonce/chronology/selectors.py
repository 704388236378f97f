"""Reading the chronology: only for those who may see the child's record in full, every
look audited (an export as an export)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import QuerySet

from tellonce.access.selectors import person_get_in_full
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.chronology.models import ChronologyEvent

if TYPE_CHECKING:
    from tellonce.access.policy import Access
    from tellonce.accounts.models import User
    from tellonce.people.models import Person


SHOWN = (
    "person_id",
    "kind",
    "occurred_on",
    "occurred_at",
    "summary",
    "unscheduled",
    "external_ref",
    "source_system",
    "recorded_by_name",
    "source_agency__name",
    "recorded_by__first_name",
    "recorded_by__last_name",
    "recorded_by__username",
)


@dataclass(frozen=True)
class ChronologyFilter:
    agency_id: int | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None

    def apply(self, events: QuerySet[ChronologyEvent]) -> QuerySet[ChronologyEvent]:
        if self.agency_id:
            events = events.filter(source_agency_id=self.agency_id)
        if self.kind:
            events = events.filter(kind=self.kind)
        if self.since:
            events = events.filter(occurred_on__gte=self.since)
        if self.until:
            events = events.filter(occurred_on__lte=self.until)
        return events

    def as_detail(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v}


def chronology_for(
    *,
    user: User,
    person_id: UUID | str,
    filters: ChronologyFilter | None = None,
    via: Via,
    export: str = "",
) -> tuple[Person, QuerySet[ChronologyEvent]]:
    """The person and their chronology, newest first, filtered. Raises `Http404` where
    the user may not know of the person and `FlagOnlyError` where they see the flag."""
    person, _ = chronology_person(user=user, person_id=person_id, via=via)
    return person, chronology_events(
        user=user, person=person, filters=filters, via=via, export=export
    )


def chronology_person(*, user: User, person_id: UUID | str, via: Via) -> tuple[Person, Access]:
    """The person whose chronology this is, and the user's access, for a user who may
    see it (`chronology_for`'s checks, refused looks audited); the chronology page
    reads the person once, then the agencies for its filter, then the events."""
    return person_get_in_full(user=user, person_id=person_id, via=via, refused="flag")


def chronology_events(
    *,
    user: User,
    person: Person,
    filters: ChronologyFilter | None = None,
    via: Via,
    export: str = "",
) -> QuerySet[ChronologyEvent]:
    """The chronology of a person `chronology_person` gave, newest first, filtered; the
    look (or the export) audited."""
    events = (filters or ChronologyFilter()).apply(
        ChronologyEvent.objects.filter(person=person)
        .select_related("source_agency", "recorded_by")
        # What the timeline and its exports show, and no more: a case review's
        # chronology runs to hundreds of events.
        .only(*SHOWN)
    )
    audit_via(
        via,
        user=user,
        action=Action.EXPORT if export else Action.VIEW,
        person=person,
        obj=person,
        detail={
            "what": "chronology",
            **({"format": export} if export else {}),
            **(filters.as_detail() if filters else {}),
        },
    )
    return events


def agencies_in(person: Person) -> list[tuple[int, str]]:
    """The agencies with events in the person's chronology, for the filter."""
    rows = (
        ChronologyEvent.objects.filter(person=person)
        .values_list("source_agency_id", "source_agency__name")
        .distinct()
        .order_by("source_agency__name")
    )
    return list(rows)
