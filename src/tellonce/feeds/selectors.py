"""Reading what agency feeds said: the involvements each agency record reports, and
the log of imports. For system work (exports, the command line), not for pages: no
user is asked about, and nothing here is shown to a practitioner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from tellonce.feeds.models import ReportedInvolvement
from tellonce.involvements.models import Involvement
from tellonce.people.models import AgencyRecord


@dataclass(frozen=True)
class InvolvementAsSent:
    """An involvement in the terms a feed row uses: the team by name, the worker by
    name."""

    team_id: int
    team: str
    capacity: str
    started_on: date
    ended_on: date | None
    end_reason: str
    practitioner: str
    is_lead_professional: bool


def involvements_as_sent(*, records: QuerySet[AgencyRecord]) -> dict[int, list[InvolvementAsSent]]:
    """What each record's agency says about its involvements, by record id: what its
    feed reported, and for involvements no feed has reported (seeded, or recorded
    before feeds) the register's entries read from the record. In start order."""
    ids = records.values("id")
    found: dict[int, list[InvolvementAsSent]] = {}
    reported_entries: set[int] = set()
    keys: set[tuple[int, int, str, date]] = set()
    reported = (
        ReportedInvolvement.objects.filter(agency_record_id__in=ids)
        .select_related("team")
        .order_by("started_on", "id")
    )
    for report in reported:
        found.setdefault(report.agency_record_id, []).append(
            InvolvementAsSent(
                team_id=report.team_id,
                team=report.team.name,
                capacity=report.capacity,
                started_on=report.started_on,
                ended_on=report.ended_on,
                end_reason=report.end_reason,
                practitioner=report.practitioner_name,
                is_lead_professional=report.is_lead_professional,
            )
        )
        keys.add((report.agency_record_id, report.team_id, report.capacity, report.started_on))
        if report.involvement_id:
            reported_entries.add(report.involvement_id)
    entries = (
        Involvement.objects.filter(source_record_id__in=ids)
        .exclude(pk__in=reported_entries)
        .select_related("team", "practitioner")
        .order_by("started_on", "id")
    )
    for entry in entries:
        record_id = entry.source_record_id
        assert record_id is not None
        if (record_id, entry.team_id, entry.capacity, entry.started_on) in keys:
            continue
        found.setdefault(record_id, []).append(
            InvolvementAsSent(
                team_id=entry.team_id,
                team=entry.team.name,
                capacity=entry.capacity,
                started_on=entry.started_on,
                ended_on=entry.ended_on,
                end_reason=entry.end_reason,
                practitioner=entry.practitioner.get_full_name() if entry.practitioner else "",
                is_lead_professional=entry.is_lead_professional,
            )
        )
    for sent in found.values():
        sent.sort(key=lambda s: s.started_on)
    return found
