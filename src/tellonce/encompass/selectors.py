"""Reading Operation Encompass: a team's notifications, one notification (audited),
one incident (for the force that recorded it, audited), the coverage of schools and
the partnership's figures (no names). A withdrawn incident (recorded in error) and its
notifications are left out of inboxes, coverage and figures; they stay readable to the
force that recorded it and, marked withdrawn, to the teams they were sent to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.encompass.models import DomesticAbuseIncident, Notification, Recipient, SchoolSignUp
from tellonce.organisations.models import Agency, AgencyKind, Role, Service

if TYPE_CHECKING:
    from tellonce.accounts.models import User


def notifications_for_team(
    *, user: User, acknowledged: bool | None = False
) -> QuerySet[Notification]:
    """The notifications delivered to the user's team: waiting (the soonest due first),
    acknowledged (the latest first), or all of them (`acknowledged=None`: those waiting
    first, then the acknowledged, the latest first)."""
    if user.team_id is None:
        raise PermissionDenied("Notifications go to teams")
    notifications = Notification.objects.live().filter(
        team=user.team_id, alert__delivered_on__isnull=False
    )
    order: tuple[Any, ...]
    if acknowledged is None:
        order = (F("acknowledged_on").desc(nulls_first=True), "due_by", "pk")
    else:
        notifications = notifications.filter(acknowledged_on__isnull=not acknowledged)
        order = ("-acknowledged_on", "pk") if acknowledged else ("due_by", "pk")
    return notifications.select_related(
        "person", "incident", "school", "alert", "acknowledged_by"
    ).order_by(*order)


def _may_see(user: User, notification: Notification) -> bool:
    team = user.team
    if team is None or (user.is_system_account and team.pk != notification.team_id):
        return False
    if team.pk == notification.team_id:
        return notification.alert is not None and notification.alert.delivered_on is not None
    if team.service == Service.EDUCATION_MASH:
        # The council's education safeguarding team: what was sent to the council (its
        # own team, above) or escalated to it; never every school's notification.
        return notification.escalated_on is not None
    # The school's head, who hears when the lead has not acknowledged.
    return bool(user.is_manager and team.agency_id == notification.school_id)


def notification_get_for_user(*, user: User, notification_id: int, via: Via) -> Notification:
    """One notification for those it was sent or escalated to; each look audited."""
    notification = (
        Notification.objects.select_related(
            "person",
            "incident",
            "incident_child",
            "school",
            "team__agency",
            "alert",
            "acknowledged_by",
        )
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or not _may_see(user, notification):
        raise Http404("No such notification")
    audit_via(
        via,
        user=user,
        action=Action.VIEW,
        person=notification.person,
        obj=notification,
        detail={"what": "Operation Encompass notification"},
    )
    return notification


def may_see_incident(user: User, incident: DomesticAbuseIncident) -> bool:
    """The force that recorded the incident: its practitioners and its systems."""
    team = user.team
    return bool(
        user.is_authenticated
        and user.does_casework
        and team is not None
        and team.agency_id == incident.police_id
    )


def may_withdraw_incident(user: User, incident: DomesticAbuseIncident) -> bool:
    """Who may withdraw an incident recorded in error: the recording officer's team or
    the force's police MASH desk, and the force's own systems (through the API)."""
    team = user.team
    if not may_see_incident(user, incident) or team is None:
        return False
    return bool(
        user.is_system_account
        or team.service == Service.POLICE_MASH
        or team.pk == incident.recorded_by.team_id
    )


def incident_get_for_user(*, user: User, incident_id: int, via: Via) -> DomesticAbuseIncident:
    """One incident, withdrawn or not, for the force that recorded it; each look at its
    children's names audited."""
    incident = (
        DomesticAbuseIncident.all_objects.select_related(
            "police", "recorded_by__team", "archived_by"
        )
        .filter(pk=incident_id)
        .first()
    )
    if incident is None or not may_see_incident(user, incident):
        raise Http404("No such incident")
    for child in incident.children.select_related("person"):
        audit_via(
            via,
            user=user,
            action=Action.VIEW,
            person=child.person,
            obj=incident,
            detail={"what": "domestic abuse incident"},
        )
    return incident


def incident_told(incident: DomesticAbuseIncident) -> list[Notification]:
    """Whom an incident was notified to, for the page of the force that recorded it
    (reached only through `incident_get_for_user`, which audits the children's names)."""
    return list(
        Notification.objects.filter(incident=incident.pk)
        .select_related("person", "team__agency", "alert")
        .order_by("pk")
    )


def may_see_coverage(user: User) -> bool:
    team = user.team
    return bool(
        user.has_role(Role.PARTNERSHIP_ANALYST, Role.MASH_MANAGER, Role.ADMINISTRATOR)
        or (team is not None and team.service == Service.EDUCATION_MASH)
    )


def _require_coverage(user: User) -> None:
    if not may_see_coverage(user):
        raise PermissionDenied(
            "Coverage is for partnership analysts, MASH managers and the council's education team"
        )


@dataclass
class SchoolCoverage:
    school: Agency
    signed_up_on: date | None
    sent: int
    delivered_on_time: int
    acknowledged: int
    late: int

    @property
    def signed_up(self) -> bool:
        return self.signed_up_on is not None


@dataclass
class Coverage:
    schools: list[SchoolCoverage]

    @property
    def not_signed_up(self) -> list[SchoolCoverage]:
        return [s for s in self.schools if not s.signed_up]

    @property
    def signed_up(self) -> list[SchoolCoverage]:
        return [s for s in self.schools if s.signed_up]


def _late(now: datetime) -> Q:
    """Delivered after the school day started, or not yet delivered once it has."""
    return Q(alert__delivered_on__gt=F("due_by")) | Q(
        alert__delivered_on__isnull=True, due_by__lt=now
    )


def coverage(*, user: User) -> Coverage:
    """Each school: signed up or not, notifications sent, delivered before the school
    day, acknowledged, late. Schools that have not signed up come first."""
    _require_coverage(user)
    now = timezone.now()
    counts: dict[int, dict[str, Any]] = {
        row["school"]: dict(row)
        for row in Notification.objects.live()
        .filter(recipient=Recipient.SCHOOL)
        .values("school")
        .annotate(
            sent=Count("pk"),
            on_time=Count("pk", filter=Q(alert__delivered_on__lte=F("due_by"))),
            acknowledged=Count("pk", filter=Q(acknowledged_on__isnull=False)),
            late=Count("pk", filter=_late(now)),
        )
    }
    sign_ups = dict(
        SchoolSignUp.objects.filter(withdrawn_on__isnull=True).values_list(
            "school_id", "signed_up_on"
        )
    )
    schools = []
    for school in Agency.objects.filter(kind=AgencyKind.SCHOOL, archived_on__isnull=True):
        row: dict[str, Any] = counts.get(school.pk, {})
        schools.append(
            SchoolCoverage(
                school=school,
                signed_up_on=sign_ups.get(school.pk),
                sent=row.get("sent", 0),
                delivered_on_time=row.get("on_time", 0),
                acknowledged=row.get("acknowledged", 0),
                late=row.get("late", 0),
            )
        )
    schools.sort(key=lambda s: (s.signed_up, s.school.name))
    return Coverage(schools)


def figures(*, user: User) -> dict[str, Any]:
    """The partnership's figures: counts and rates, never a name."""
    _require_coverage(user)
    now = timezone.now()
    to_schools = Notification.objects.live().filter(recipient=Recipient.SCHOOL)
    school_counts = to_schools.aggregate(
        sent=Count("pk"),
        delivered_before_school_day=Count("pk", filter=Q(alert__delivered_on__lte=F("due_by"))),
        acknowledged=Count("pk", filter=Q(acknowledged_on__isnull=False)),
        acknowledged_before_escalation=Count(
            "pk", filter=Q(acknowledged_on__isnull=False) & Q(escalated_on__isnull=True)
        ),
        late=Count("pk", filter=_late(now)),
        escalated=Count("pk", filter=Q(escalated_on__isnull=False)),
    )
    council = Notification.objects.live().filter(recipient=Recipient.COUNCIL)
    council_counts = {
        reason: n for reason, n in council.values_list("council_reason").annotate(n=Count("pk"))
    }
    schools = Agency.objects.filter(kind=AgencyKind.SCHOOL, archived_on__isnull=True).count()
    signed = SchoolSignUp.objects.filter(
        withdrawn_on__isnull=True, school__archived_on__isnull=True
    ).count()
    sent = school_counts["sent"]

    def rate(n: int) -> float | None:
        return round(100 * n / sent, 1) if sent else None

    first = DomesticAbuseIncident.objects.aggregate(first=Min("occurred_at"))["first"]
    return {
        "since": timezone.localdate(first) if first else None,
        "until": timezone.localdate(now),
        "incidents": DomesticAbuseIncident.objects.count(),
        "school_notifications": sent,
        "delivered_before_school_day": school_counts["delivered_before_school_day"],
        "delivered_before_school_day_percent": rate(school_counts["delivered_before_school_day"]),
        "acknowledged": school_counts["acknowledged"],
        "acknowledged_percent": rate(school_counts["acknowledged"]),
        "late": school_counts["late"],
        "escalated": school_counts["escalated"],
        "council_notifications": sum(council_counts.values()),
        "council_notifications_by_reason": council_counts,
        "schools": schools,
        "schools_signed_up": signed,
        "schools_covered_percent": round(100 * signed / schools, 1) if schools else None,
    }
