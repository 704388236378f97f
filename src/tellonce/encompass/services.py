"""Operation Encompass, written: the police record a domestic abuse incident and the
children of the household; each child's school (or the council) is notified before
the next school day; the safeguarding lead acknowledges; the clock chases and
escalates what nobody acknowledged.

The rules:

- A notification is due by the start (`ENCOMPASS_SCHOOL_DAY_STARTS`) of the first
  school day of the child's school that starts after the incident.
- When the day after the incident is not a school day (a weekend, a bank holiday, a
  school holiday), the school still hears for its first day back, and the council's
  education safeguarding team is told too, by the next working day's start.
- A child on no school's roll (home-educated, out of school), or whose school is not
  signed up, is notified to the council instead.
- A notification carries only what the statutory guidance names
  (`statutory_fields`); it goes through the alerts outbox, so it is delivered once.
- Unacknowledged, it is chased `CHASE_AFTER` the school day starts, and escalated
  `ESCALATE_AFTER` it starts to the school's head and the council's education
  safeguarding team, once each (`encompass_clock_tick`).
- It is acknowledged once: two at the school acknowledging at the same moment, and the
  second is told who did (`AlreadyDone`, `tellonce.core.claims`).
- An incident recorded in error (the wrong child) is withdrawn, never deleted
  (`incident_withdraw`): by the recording officer's team, the force's police MASH desk
  or the force's own system, with a reason of at least 15 characters, once. Its
  notifications leave the schools' inboxes, the clock (no chase, no escalation) and
  the figures; its chronology entries are archived with it; every team and person an
  alert about it went to is told it was withdrawn (which notification, and that it was
  recorded in error: never the reason, which may name another child).

A batch from a police system (`incidents_record`) is checked as a whole: every good
incident lands, in one transaction, and every bad one is reported by its index and
field with nothing of it written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import alerts_write
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.chronology.services import (
    chronology_entries_store,
    chronology_entry,
    chronology_entry_write,
)
from tellonce.core import workdays
from tellonce.core.claims import AlreadyDone, claim
from tellonce.core.dates import date_problem, when_said
from tellonce.encompass.calendar import Calendars, next_school_day_start, next_working_day_start
from tellonce.encompass.models import (
    Channel,
    CouncilReason,
    DomesticAbuseIncident,
    IncidentChild,
    Match,
    Notification,
    Recipient,
    SchoolSignUp,
)
from tellonce.encompass.selectors import may_withdraw_incident
from tellonce.involvements.models import Capacity, Involvement
from tellonce.organisations.models import Agency, AgencyKind, Role, Service, Team
from tellonce.people.models import Person
from tellonce.people.services import child_details_problems

if TYPE_CHECKING:
    from tellonce.accounts.models import User

#: Chase the safeguarding lead this long after the school day starts...
CHASE_AFTER = timedelta(hours=1)
#: ...and tell the head and the council this long after it starts (12:00 by default).
ESCALATE_AFTER = timedelta(hours=3, minutes=30)
INCIDENT_SYSTEM = "TellOnce Operation Encompass"
_ALERT_CHUNK = 500
#: What a withdrawn notification says to whoever tries to act on it.
WITHDRAWN = "This notification was withdrawn: the police recorded it in error"
#: Who may withdraw an incident, said to anyone else who tries.
WITHDRAW_REFUSED = (
    "Only the police team that recorded the incident, or the force's police MASH desk,"
    " can withdraw it"
)
#: A reason short enough to say nothing is refused.
REASON_AT_LEAST = 15


# ----- recording an incident ------------------------------------------------------


@dataclass
class ChildDetails:
    """A child of the household: a person already in TellOnce, or their details."""

    person_id: Any = None
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    postcode: str = ""
    nhs_number: str = ""
    present: bool | None = None
    voice: str = ""


@dataclass
class IncidentDetails:
    police_ref: str
    occurred_at: datetime | None
    place: str
    children: list[ChildDetails]


@dataclass
class BatchResult:
    recorded: list[DomesticAbuseIncident] = field(default_factory=list)
    #: By the incident's index in the batch: its problems by field.
    problems: dict[int, dict[str, str]] = field(default_factory=dict)


def require_police(user: User) -> Agency:
    """The police force the user records incidents for; refused for anyone else."""
    team = user.team
    if not user.does_casework or team is None or team.agency.kind != AgencyKind.POLICE:
        raise PermissionDenied("Domestic abuse incidents are recorded by the police")
    return team.agency


def incident_check(details: IncidentDetails, now: datetime) -> dict[str, str]:
    """Every problem with an incident, by field."""
    problems: dict[str, str] = {}
    if not details.police_ref.strip():
        problems["police_ref"] = "Enter the police reference for the incident"
    if details.occurred_at is None:
        problems["occurred_at"] = "Enter the date and time of the incident"
    elif when := date_problem(details.occurred_at, now=now):
        problems["occurred_at"] = f"The incident's date and time {when}"
    if not details.place.strip():
        problems["place"] = "Enter where the incident happened"
    if not details.children:
        problems["children"] = "Name at least one child of the household"
    seen: set[str] = set()
    for n, child in enumerate(details.children):
        prefix = f"children-{n}-"
        if child.present is None:
            problems[prefix + "present"] = "Say whether the child was present"
        if not child.voice.strip():
            problems[prefix + "voice"] = (
                "Say what the child said or how they presented (or that they were asleep)"
            )
        if child.person_id:
            if str(child.person_id) in seen:
                problems[prefix + "person"] = "This child is named twice"
            seen.add(str(child.person_id))
            continue
        problems |= child_details_problems(
            child,
            prefix,
            today=timezone.localdate(now),
            oldest_years=18,
            too_old="The date of birth makes them an adult: Operation Encompass is about children",
            no_birth="Enter the child's date of birth",
        )
    return problems


def incident_record(
    *, user: User, details: IncidentDetails, via: Via, channel: str = Channel.WEB
) -> DomesticAbuseIncident:
    """Record one incident (see `incidents_record`); its problems as a ValidationError."""
    result = incidents_record(user=user, batch=[details], via=via, channel=channel)
    if result.problems:
        raise ValidationError(result.problems[0])
    return result.recorded[0]


def incidents_record(
    *, user: User, batch: Sequence[IncidentDetails], via: Via, channel: str = Channel.API
) -> BatchResult:
    """Record a batch of incidents: the good ones, with their children, chronology and
    notifications, in one transaction; the bad ones reported and not written."""
    police = require_police(user)
    now = timezone.now()
    result = BatchResult()
    for n, details in enumerate(batch):
        problems = incident_check(details, now)
        if problems:
            result.problems[n] = problems
    refs = [d.police_ref.strip() for d in batch]
    taken = set(
        DomesticAbuseIncident.objects.filter(police=police, police_ref__in=refs).values_list(
            "police_ref", flat=True
        )
    )
    first_of: dict[str, int] = {}
    for n, ref in enumerate(refs):
        if not ref:
            continue
        if ref in taken or first_of.setdefault(ref, n) != n:
            result.problems.setdefault(n, {})["police_ref"] = (
                "Your force has already recorded an incident with this reference"
            )
    chosen_ids = {str(c.person_id) for d in batch for c in d.children if c.person_id}
    known = {str(pk): p for pk, p in Person.objects.in_bulk(_valid_uuids(chosen_ids)).items()}
    for n, details in enumerate(batch):
        for m, child in enumerate(details.children):
            if child.person_id and str(child.person_id) not in known:
                result.problems.setdefault(n, {})[f"children-{m}-person"] = (
                    "TellOnce has no such child: check the id"
                )
    good = [n for n in range(len(batch)) if n not in result.problems]
    if not good:
        return result
    try:
        result.recorded = _store(user, police, [batch[n] for n in good], known, channel, via, now)
    except IntegrityError:
        # The same reference sent twice at once: store each alone, so only it fails.
        for n in good:
            try:
                result.recorded += _store(user, police, [batch[n]], known, channel, via, now)
            except IntegrityError:
                result.problems[n] = {
                    "police_ref": "Your force has already recorded an incident with this reference"
                }
    return result


def _valid_uuids(values: set[str]) -> list[str]:
    import uuid

    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid


@dataclass
class IncidentChildPlan:
    """A child of an incident as the notification rules see it: the incident, what the
    police said of the child, the person they are, how they were matched."""

    incident: DomesticAbuseIncident
    details: ChildDetails
    person: Person
    match: str
    row: IncidentChild | None = None


def _store(
    user: User,
    police: Agency,
    batch: list[IncidentDetails],
    known: dict[str, Person],
    channel: str,
    via: Via,
    now: datetime,
) -> list[DomesticAbuseIncident]:
    with transaction.atomic():
        incidents = DomesticAbuseIncident.objects.bulk_create(
            DomesticAbuseIncident(
                police=police,
                police_ref=d.police_ref.strip(),
                occurred_at=cast(datetime, d.occurred_at),
                place=d.place.strip(),
                recorded_by=user,
                received_on=now,
                channel=channel,
                created_by=user,
            )
            for d in batch
        )
        children: list[IncidentChildPlan] = []
        for incident, details in zip(incidents, batch, strict=True):
            persons: set[Any] = set()
            for m, child in enumerate(details.children):
                match: str
                if child.person_id:
                    person, match = known[str(child.person_id)], Match.CHOSEN
                else:
                    person, match = _child_matched(police, incident, m, child)
                if person.pk in persons:
                    continue  # the same child named twice, by id and by details
                persons.add(person.pk)
                children.append(IncidentChildPlan(incident, child, person, match))
        rows = IncidentChild.objects.bulk_create(
            IncidentChild(
                incident=c.incident,
                person=c.person,
                present=bool(c.details.present),
                voice=c.details.voice.strip(),
                match=c.match,
            )
            for c in children
        )
        for item, row in zip(children, rows, strict=True):
            item.row = row
        chronology_entries_store(_incident_event(c, user) for c in children)
        _notifications_send(children, user)
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            obj=incidents[0] if len(incidents) == 1 else None,
            detail={
                "change": "domestic abuse incidents recorded",
                "incidents": [i.pk for i in incidents],
                "children": len(children),
            },
        )
    return incidents


def _child_matched(
    police: Agency, incident: DomesticAbuseIncident, m: int, child: ChildDetails
) -> tuple[Person, str]:
    from tellonce.linkage.arrivals import Outcome as Arrived
    from tellonce.linkage.arrivals import person_for_details

    person, outcome = person_for_details(
        agency=police,
        system=INCIDENT_SYSTEM,
        local_id=f"incident-{incident.pk}-{m + 1}",
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        postcode=child.postcode,
        nhs_number=child.nhs_number,
        received_on=incident.received_on,
    )
    match = {
        Arrived.LINKED: Match.LINKED,
        Arrived.ALREADY_LINKED: Match.LINKED,
        Arrived.REVIEW: Match.REVIEW,
    }.get(outcome, Match.NEW)
    return person, match


def _incident_event(child: IncidentChildPlan, user: User) -> ChronologyEvent:
    incident = child.incident
    return chronology_entry(
        kind=EventKind.DOMESTIC_ABUSE,
        person=child.person,
        # To the minute, as the police give it.
        moment=incident.occurred_at.replace(second=0, microsecond=0),
        summary=(
            f"Domestic abuse incident reported by {incident.police.name}"
            f" (reference {incident.police_ref}) at {incident.place}."
            f" The child was {'present' if child.details.present else 'not present'}."
            f"\nThe child's voice or presentation: {child.details.voice.strip()}"
        ),
        agency=incident.police,
        recorder=user,
        reference=f"incident-{incident.police_ref}",
        system=INCIDENT_SYSTEM,
    )


# ----- who is told, and when ------------------------------------------------------


@dataclass
class NotificationPlan:
    """Who is told about a child of an incident, and by when."""

    child: IncidentChildPlan
    recipient: str
    team: Team
    school: Agency | None
    due_by: datetime
    council_reason: str = ""


def _schools_of(person_ids: list[Any]) -> dict[Any, Team]:
    """Each child's school, as the team their current school involvement is with."""
    schools: dict[Any, Team] = {}
    current = (
        Involvement.objects.current()
        .filter(person__in=person_ids, capacity=Capacity.SCHOOL)
        .select_related("team__agency")
        .order_by("started_on", "pk")
    )
    for involvement in current:
        schools[involvement.person_id] = involvement.team  # the latest wins
    return schools


def council_team() -> Team:
    """The council's education safeguarding lead: the education MASH team."""
    team = (
        Team.objects.filter(service=Service.EDUCATION_MASH, archived_on__isnull=True)
        .select_related("agency")
        .order_by("pk")
        .first()
    )
    if team is None:
        raise ValidationError(
            {"children": "No council education safeguarding team is set up in TellOnce"}
        )
    return team


def notification_plans(children: list[IncidentChildPlan]) -> list[NotificationPlan]:
    """Who is told about each child, and by when: the school's safeguarding lead by the
    start of its next school day, the council too (or instead) as the rules in the
    module docstring say. The service and the synthetic borough both plan through here."""
    calendars = Calendars.load()
    schools = _schools_of([c.person.pk for c in children])
    school_ids = {t.agency_id for t in schools.values()}
    signed_up = set(
        SchoolSignUp.objects.filter(school__in=school_ids, withdrawn_on__isnull=True).values_list(
            "school_id", flat=True
        )
    )
    dsl: dict[int, Team] = {}
    for lead in Team.objects.filter(
        agency__in=school_ids, service=Service.SCHOOL_SAFEGUARDING, archived_on__isnull=True
    ).order_by("-pk"):
        dsl[lead.agency_id] = lead
    council: Team | None = None
    plans: list[NotificationPlan] = []
    due_cache: dict[tuple[datetime, int | None], datetime] = {}

    def due_at_school(moment: datetime, school_id: int | None) -> datetime:
        key = (moment, school_id)
        if key not in due_cache:
            due_cache[key] = next_school_day_start(moment, calendars, school_id)
        return due_cache[key]

    for child in children:
        moment = child.incident.occurred_at
        school_team = schools.get(child.person.pk)
        school = school_team.agency if school_team else None
        reason = ""
        if school is None:
            reason = CouncilReason.NO_SCHOOL
        elif school.pk not in signed_up:
            reason = CouncilReason.NOT_SIGNED_UP
        else:
            assert school_team is not None
            team = (
                school_team
                if school_team.service == Service.SCHOOL_SAFEGUARDING
                else dsl.get(school.pk)
            )
            if team is None:
                reason = CouncilReason.NOT_SIGNED_UP
            else:
                due = due_at_school(moment, school.pk)
                plans.append(NotificationPlan(child, Recipient.SCHOOL, team, school, due))
                day_after = moment.astimezone(workdays.UK).date() + timedelta(days=1)
                if due.astimezone(workdays.UK).date() > day_after:
                    reason = CouncilReason.NO_SCHOOL_TOMORROW
        if reason:
            council = council or council_team()
            plans.append(
                NotificationPlan(
                    child,
                    Recipient.COUNCIL,
                    council,
                    school,
                    next_working_day_start(moment),
                    reason,
                )
            )
    return plans


def _notifications_send(children: list[IncidentChildPlan], user: User) -> list[Notification]:
    plans = notification_plans(children)
    notifications = Notification.objects.bulk_create(
        Notification(
            incident_child=p.child.row,
            incident=p.child.incident,
            person=p.child.person,
            recipient=p.recipient,
            school=p.school,
            team=p.team,
            council_reason=p.council_reason,
            due_by=p.due_by,
        )
        for p in plans
    )
    by_key: dict[str, Notification] = {}
    alerts: list[Alert] = []
    for plan, notification in zip(plans, notifications, strict=True):
        alert = _notification_alert(notification, plan.child)
        by_key[alert.key] = notification
        alerts.append(alert)
    for start in range(0, len(alerts), _ALERT_CHUNK):
        for alert in alerts_write(alerts[start : start + _ALERT_CHUNK]):
            if alert.key in by_key:
                by_key[alert.key].alert = alert
    Notification.objects.bulk_update(notifications, ["alert"], batch_size=1000)
    chronology_entries_store(_notification_event(n, user) for n in notifications)
    return notifications


def statutory_fields(
    person: Person, incident: DomesticAbuseIncident, present: bool, voice: str
) -> list[tuple[str, str]]:
    """What an Operation Encompass notification holds, and nothing else."""
    local = timezone.localtime(incident.occurred_at)
    born = person.date_of_birth
    return [
        ("Child", person.full_name),
        ("Date of birth", f"{born:%-d %B %Y}" if born else "Not known"),
        ("Police reference", incident.police_ref),
        ("Date of the incident", f"{local:%A %-d %B %Y}"),
        ("Time of the incident", f"{local:%H:%M}"),
        ("Place of the incident", incident.place),
        ("Child present", "Yes" if present else "No"),
        ("The child's voice or presentation", voice),
    ]


def notification_fields(notification: Notification) -> list[tuple[str, str]]:
    child = notification.incident_child
    return statutory_fields(notification.person, notification.incident, child.present, child.voice)


def _notification_alert(notification: Notification, child: IncidentChildPlan) -> Alert:
    fields = statutory_fields(
        child.person, child.incident, bool(child.details.present), child.details.voice.strip()
    )
    school = notification.recipient == Recipient.SCHOOL
    return Alert(
        kind=AlertKind.ENCOMPASS if school else AlertKind.ENCOMPASS_COUNCIL,
        key=f"encompass:{notification.pk}",
        team=notification.team,
        person=child.person,
        link=f"/encompass/notifications/{notification.pk}/",
        title=(
            f"Operation Encompass: {child.person.full_name}"
            if school
            else f"Operation Encompass, for the council: {child.person.full_name}"
        ),
        body="\n".join(f"{label}: {value}" for label, value in fields),
    )


def _notification_event(notification: Notification, user: User) -> ChronologyEvent:
    to = (
        f"the designated safeguarding lead at {notification.school.name}"
        if notification.recipient == Recipient.SCHOOL and notification.school
        else f"{notification.team.named}"
    )
    why = f" ({notification.get_council_reason_display()})" if notification.council_reason else ""
    return chronology_entry(
        kind=EventKind.ENCOMPASS,
        person=notification.person,
        moment=notification.created_on,
        summary=(
            f"Operation Encompass notification of incident {notification.incident.police_ref}"
            f" sent to {to}{why}, due by {when_said(notification.due_by, weekday=True)}."
        ),
        agency=notification.incident.police,
        recorder=user,
        reference=f"encompass-{notification.pk}",
    )


# ----- acknowledging ----------------------------------------------------------------


def notification_acknowledge(*, user: User, notification: Notification, via: Via) -> Notification:
    """The recipient team (the school's safeguarding lead) says it has the notification."""
    if user.is_system_account:
        # A school's system reads its notifications but never acknowledges one: the chase
        # and the escalation to the head exist to reach a person at the school before
        # the child arrives, and a system's acknowledgement would stop them with no one
        # having read it.
        raise PermissionDenied(
            "A person at the school acknowledges a notification, not its system: until one"
            " does, the notification is chased and escalated"
        )
    if user.team_id is None or user.team_id != notification.team_id:
        raise PermissionDenied("Only the team the notification was sent to can acknowledge it")
    now = timezone.now()
    with transaction.atomic():
        # The incident's row is held while the notification is claimed, so a withdrawal
        # at the same moment comes wholly before or wholly after; the default manager
        # leaves a withdrawn incident out. (The claim itself filters the notification's
        # own row only: an update through a join is a subquery, which PostgreSQL does
        # not check again after a concurrent change.)
        if not (
            DomesticAbuseIncident.objects.select_for_update()
            .filter(pk=notification.incident_id)
            .exists()
        ):
            raise AlreadyDone("notification", WITHDRAWN)
        if not Notification.objects.filter(pk=notification.pk, acknowledged_on__isnull=True).update(
            acknowledged_on=now, acknowledged_by=user
        ):
            notification.refresh_from_db()
            who = notification.acknowledged_by
            raise AlreadyDone(
                "notification",
                f"Already acknowledged by {who}"
                f" on {when_said(notification.acknowledged_on or now, weekday=True)}",
            )
        notification.refresh_from_db()
        assert user.team is not None
        chronology_entry_write(
            kind=EventKind.ENCOMPASS,
            person=notification.person,
            moment=now,
            summary=(
                f"Operation Encompass notification of incident"
                f" {notification.incident.police_ref} acknowledged by {user.get_full_name()}"
                f" ({user.team.name}, {user.team.agency.name})"
                + (" after the school day started." if now > notification.due_by else ".")
            ),
            agency=user.team.agency,
            recorder=user,
            reference=f"encompass-{notification.pk}-acknowledged",
        )
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=notification.person,
            obj=notification,
            detail={"change": "Operation Encompass notification acknowledged"},
        )
    return notification


# ----- withdrawing -----------------------------------------------------------------


def incident_withdraw(
    *, user: User, incident: DomesticAbuseIncident, reason: str, via: Via
) -> DomesticAbuseIncident:
    """An incident recorded in error (the wrong child, the wrong household) is withdrawn
    with the reason, never deleted: it, its notifications and its chronology entries
    leave the inboxes, the clock and the figures, and everyone told of it is told it
    was withdrawn, in the same transaction."""
    if not may_withdraw_incident(user, incident):
        raise PermissionDenied(WITHDRAW_REFUSED)
    reason = (reason or "").strip()
    if len(reason) < REASON_AT_LEAST:
        raise ValidationError(
            {
                "reason": "Say why the incident was recorded in error, for example the wrong"
                f" child (at least {REASON_AT_LEAST} characters)"
            }
        )
    now = timezone.now()
    with transaction.atomic():
        # The default manager leaves withdrawn incidents out: only one withdrawal claims it.
        claim(
            DomesticAbuseIncident,
            incident.pk,
            expected={},
            changes={
                "archived_on": now,
                "archived_by": user,
                "archive_reason": reason,
                "modified_by": user,
            },
            field="reason",
            refused="This incident has already been withdrawn",
        )
        notifications = list(
            Notification.objects.filter(incident=incident.pk).select_related("team", "school")
        )
        refs = [f"incident-{incident.police_ref}"]
        refs += [f"encompass-{n.pk}" for n in notifications]
        refs += [f"encompass-{n.pk}-acknowledged" for n in notifications]
        # Renamed as they are archived, so the incident can be recorded again about the
        # right child without meeting its withdrawn entries.
        ChronologyEvent.objects.filter(
            person__in=incident.children.values("person"),
            source_agency=incident.police_id,
            external_ref__in=refs,
        ).update(
            archived_on=now,
            archived_by=user,
            archive_reason=reason,
            external_ref=Concat(F("external_ref"), Value(f"-withdrawn-{incident.pk}")),
        )
        told = alerts_write(_withdrawals(incident, notifications))
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            obj=incident,
            reason=reason,
            detail={
                "change": "domestic abuse incident withdrawn",
                "notifications": [n.pk for n in notifications],
                "told": len(told),
            },
        )
    incident.refresh_from_db(fields=["archived_on", "archived_by", "archive_reason"])
    return incident


def _withdrawals(incident: DomesticAbuseIncident, notifications: list[Notification]) -> list[Alert]:
    """One alert to each team (and each named person) an alert about a notification
    went to: which notification, and that it was recorded in error. No child's name
    and no reason: the reason may name another child."""
    by_pk = {n.pk: n for n in notifications}
    about = Q(pk__in=[])
    for pk in by_pk:
        about |= Q(key=f"encompass:{pk}") | Q(key__startswith=f"encompass:{pk}:")
    sent = (
        Alert.objects.filter(about)
        .exclude(kind=AlertKind.ENCOMPASS_WITHDRAWN)
        .order_by("pk")
        .values_list("key", "team_id", "user_id")
    )
    local = timezone.localtime(incident.occurred_at)
    alerts: dict[tuple[int, int, int | None], Alert] = {}
    for key, team_id, user_id in sent:
        pk = int(key.split(":")[1])
        notification = by_pk[pk]
        alerts.setdefault(
            (pk, team_id, user_id),
            Alert(
                kind=AlertKind.ENCOMPASS_WITHDRAWN,
                key=f"encompass:{pk}:withdrawn" + (f":{user_id}" if user_id else ""),
                team_id=team_id,
                user_id=user_id,
                link=f"/encompass/notifications/{pk}/",
                title=(
                    "Withdrawn: the Operation Encompass notification of incident"
                    f" {incident.police_ref}"
                ),
                body=(
                    f"{incident.police.name} recorded the incident of"
                    f" {local:%A %-d %B %Y} (reference {incident.police_ref}) in error and"
                    " has withdrawn it. Take no action on the notification sent on"
                    f" {when_said(notification.created_on, weekday=True)}, and correct any"
                    " record you made of it."
                ),
            ),
        )
    return list(alerts.values())


# ----- the clock --------------------------------------------------------------------


@dataclass
class ClockTick:
    chased: int = 0
    escalated: int = 0


def _heads(notification: Notification) -> list[User]:
    """Who leads the recipient: the school's head (its managers), or the council
    team's managers."""
    from tellonce.accounts.models import User

    people = User.objects.filter(is_manager=True, is_active=True, is_system_account=False)
    if notification.recipient == Recipient.SCHOOL and notification.school_id:
        people = people.filter(team__agency=notification.school_id)
    else:
        people = people.filter(team=notification.team_id)
    return list(people.select_related("team").order_by("pk"))


def encompass_clock_tick(now: datetime | None = None) -> ClockTick:
    """Chase notifications nobody acknowledged `CHASE_AFTER` the school day started;
    escalate them `ESCALATE_AFTER` it started. Each is claimed atomically, once."""
    now = now or timezone.now()
    tick = ClockTick()
    # Withdrawn incidents' notifications are never chased or escalated.
    waiting = (
        Notification.objects.live()
        .filter(acknowledged_on__isnull=True)
        .select_related("person", "team__agency", "school", "incident")
    )
    for notification in waiting.filter(chased_on__isnull=True, due_by__lte=now - CHASE_AFTER):
        with transaction.atomic():
            if not Notification.objects.filter(
                pk=notification.pk, chased_on__isnull=True, acknowledged_on__isnull=True
            ).update(chased_on=now):
                continue
            child, due = notification.person, notification.due_by
            alerts_write(
                [
                    Alert(
                        kind=AlertKind.ENCOMPASS_CHASE,
                        key=f"encompass:{notification.pk}:chase",
                        team=notification.team,
                        person=child,
                        link=f"/encompass/notifications/{notification.pk}/",
                        title=f"Reminder: acknowledge the Operation Encompass notification"
                        f" about {child.full_name}",
                        body=(
                            f"It was due by {when_said(due, weekday=True)}. If it is not"
                            f" acknowledged by {when_said(due + ESCALATE_AFTER, weekday=True)},"
                            " your head and the council's education safeguarding team are told."
                        ),
                    )
                ]
            )
            tick.chased += 1
    for notification in waiting.filter(escalated_on__isnull=True, due_by__lte=now - ESCALATE_AFTER):
        with transaction.atomic():
            if not Notification.objects.filter(
                pk=notification.pk, escalated_on__isnull=True, acknowledged_on__isnull=True
            ).update(escalated_on=now, chased_on=Coalesce(F("chased_on"), now)):
                continue
            alerts_write(_escalations(notification))
            tick.escalated += 1
    return tick


def _escalations(notification: Notification) -> list[Alert]:
    child = notification.person
    where = notification.school.name if notification.school else notification.team.name
    title = f"Not acknowledged: Operation Encompass notification about {child.full_name}"
    body = (
        f"The notification to {notification.team.name} ({where}) was due by"
        f" {when_said(notification.due_by, weekday=True)} and nobody has acknowledged it."
    )
    link = f"/encompass/notifications/{notification.pk}/"
    alerts = [
        Alert(
            kind=AlertKind.ENCOMPASS_ESCALATED,
            key=f"encompass:{notification.pk}:head:{head.pk}",
            team=head.team,
            user=head,
            person=child,
            link=link,
            title=title,
            body=body + " You are told as its head.",
        )
        for head in _heads(notification)
        if head.team is not None
    ]
    if not alerts:
        # No head named in TellOnce: the team itself is told it is late.
        alerts.append(
            Alert(
                kind=AlertKind.ENCOMPASS_ESCALATED,
                key=f"encompass:{notification.pk}:team",
                team=notification.team,
                person=child,
                link=link,
                title=title,
                body=body + " No head is named for your school in TellOnce.",
            )
        )
    council = council_team()
    if council.pk != notification.team_id:
        alerts.append(
            Alert(
                kind=AlertKind.ENCOMPASS_ESCALATED,
                key=f"encompass:{notification.pk}:council",
                team=council,
                person=child,
                link=link,
                title=title,
                body=body + " You are told as the council's education safeguarding lead.",
            )
        )
    return alerts


# ----- signing up -------------------------------------------------------------------


def school_sign_up(*, school: Agency, on: date | None = None) -> SchoolSignUp:
    if school.kind != AgencyKind.SCHOOL:
        raise ValidationError({"school": "Only schools sign up to Operation Encompass"})
    sign_up, created = SchoolSignUp.objects.get_or_create(
        school=school, defaults={"signed_up_on": on or timezone.localdate()}
    )
    if not created and sign_up.withdrawn_on is not None:
        sign_up.withdrawn_on = None
        sign_up.save(update_fields=["withdrawn_on", "modified_on"])
    return sign_up


def may_record_sign_up(user: User) -> bool:
    """The council's education safeguarding team (and administrators) keep the list of
    schools signed up."""
    team = user.team
    return not user.is_system_account and (
        user.has_role(Role.ADMINISTRATOR)
        or (team is not None and team.service == Service.EDUCATION_MASH)
    )


def school_sign_up_record(*, user: User, school: Agency, via: Via) -> SchoolSignUp:
    """Record that a school has signed up: from now its safeguarding lead is told."""
    if not may_record_sign_up(user):
        raise PermissionDenied("The council's education safeguarding team records sign-ups")
    with transaction.atomic():
        sign_up = school_sign_up(school=school)
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            obj=sign_up,
            detail={"change": "school signed up to Operation Encompass", "school": school.pk},
        )
    return sign_up
