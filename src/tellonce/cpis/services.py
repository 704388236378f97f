"""CP-IS, the NHS Child Protection Information Sharing service, as the partnership
runs it: a child on a child protection plan or looked after is flagged to the health
practitioners who give unscheduled care, and when such a child attends unscheduled care
(A&E, urgent care, out-of-hours GP) their social worker is told.

- Who is flagged: a child with a current child protection or looked-after involvement
  (`CP_IS_CAPACITIES`) of the council's children's social care
  (`involvements.models.CHILDRENS_SOCIAL_CARE`), confirmed or from its own system; the
  flag shows the plan and the social worker's contact.
- What is shared when they attend: when and where, never why (`cp_is_check`), written
  in the transaction that puts the attendance on the chronology
  (`tellonce.chronology.services.chronology_entry_write` calls it for every unscheduled
  health attendance, whoever recorded it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import alerts_store
from tellonce.involvements.models import CHILDRENS_SOCIAL_CARE, Capacity, Involvement
from tellonce.organisations.models import AgencyKind

if TYPE_CHECKING:
    from tellonce.chronology.models import ChronologyEvent
    from tellonce.people.models import Person

CP_IS_CAPACITIES = (Capacity.CHILD_PROTECTION, Capacity.LOOKED_AFTER)


def cp_is_involvements(person: Person) -> list[Involvement]:
    """The child's current child protection and looked-after involvements: who their
    social worker is. Only those the council's children's social care recorded, and
    that count (none a practitioner said and nobody confirmed): a false flag here is a
    false clinical safety flag."""
    return list(
        Involvement.objects.current()
        .counting()
        .filter(
            person=person,
            capacity__in=CP_IS_CAPACITIES,
            team__service__in=CHILDRENS_SOCIAL_CARE,
            team__agency__kind=AgencyKind.LOCAL_AUTHORITY,
        )
        .select_related("team__agency", "practitioner")
        .order_by("started_on")
    )


def cp_is_check(event: ChronologyEvent) -> list[Alert]:
    """An unscheduled health attendance of a child on a protection plan or looked after
    alerts the child's social worker, in the caller's transaction. What the alert says
    is what CP-IS shares: when and where, not why."""
    if not event.is_unscheduled_care:
        return []
    child = event.person
    alerts = []
    for plan in cp_is_involvements(child):
        status = (
            "on a child protection plan"
            if plan.capacity == Capacity.CHILD_PROTECTION
            else "looked after"
        )
        at = f" at {event.occurred_at:%H:%M}" if event.occurred_at else ""
        agency = event.source_agency
        contact = ", ".join(p for p in (agency.name, agency.phone, agency.email) if p)
        alerts.append(
            Alert(
                kind=AlertKind.CP_IS,
                team=plan.team,
                user=plan.practitioner,
                person=child,
                chronology_event=event,
                title=f"{child.full_name} attended unscheduled care ({agency.name})",
                body=(
                    f"{child.name_and_birth}, who is {status}, attended unscheduled care on"
                    f" {event.occurred_on:%-d %B %Y}{at} ({agency.name}).\n"
                    f"Contact: {contact}; recorded by {event.recorder_label}.\n"
                    "You are told because you are the child's social worker (CP-IS)."
                ),
            )
        )
    if not alerts:
        return []
    return alerts_store(alerts, chronology_event=event, kind=AlertKind.CP_IS)
