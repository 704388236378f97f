"""Writing alerts when an involvement starts, and delivering them.

`involvement_started_alerts` runs inside the transaction that stores the involvement
(the transactional outbox): every team currently involved with the child or with any
member of the child's household is told who is now involved, in what capacity and how
to reach them; the newcomer is told who was already involved. `deliveries_send` is the
worker's side (see `models` for why each alert arrives exactly once).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind, Channel, Delivery
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.involvements.models import Capacity, Involvement
from tellonce.people.models import HouseholdMember, Person

logger = logging.getLogger(__name__)


def household_of(person: Person) -> list[Person]:
    """The other current members of every household the person lives in now."""
    households = HouseholdMember.objects.filter(person=person, left_on__isnull=True).values(
        "household"
    )
    members = (
        HouseholdMember.objects.filter(household__in=households, left_on__isnull=True)
        .exclude(person=person)
        .select_related("person")
    )
    return list({m.person_id: m.person for m in members}.values())


def contact_line(involvement: Involvement) -> str:
    """How to reach the people behind an involvement: worker, team, agency, phone, email."""
    team = involvement.team
    who = involvement.practitioner.get_full_name() if involvement.practitioner else ""
    parts = [
        f"{who}, {team.name}" if who else team.name,
        team.agency.name,
        team.phone,
        team.email,
    ]
    return ", ".join(p for p in parts if p)


def _why(child: Person, through: list[Person]) -> str:
    """Why a team is told: "you work with them and with Lily Taylor, who lives with
    them"."""
    household = [p.full_name for p in through if p != child]
    reasons = ["them"] if child in through else []
    if household:
        names = " and ".join(
            [", ".join(household[:-1]), household[-1]] if len(household) > 1 else household
        )
        verb = "lives" if len(household) == 1 else "live"
        reasons.append(f"{names}, who {verb} with them")
    return "you work with " + " and with ".join(reasons)


@dataclass
class _Recipient:
    team_id: int
    user_id: int | None = None
    through: list[Person] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)


def involvement_started_alerts(involvement: Involvement) -> list[Alert]:
    """Alerts for a new involvement, written in the caller's transaction (see the
    module's docstring). Calling it again for the same involvement writes nothing."""
    child = involvement.person
    circle = [child, *household_of(child)]
    others = (
        Involvement.objects.filter(person__in=circle, ended_on__isnull=True)
        .exclude(pk=involvement.pk)
        .exclude(team=involvement.team_id)
        .select_related("team__agency", "practitioner", "person")
        .order_by("started_on", "pk")
    )
    recipients: dict[int, _Recipient] = {}
    for other in others:
        recipient = recipients.setdefault(other.team_id, _Recipient(other.team_id))
        recipient.user_id = recipient.user_id or other.practitioner_id
        if other.person not in recipient.through:
            recipient.through.append(other.person)
        recipient.involvements.append(other)
    if not recipients:
        return []

    newcomer = contact_line(involvement)
    capacity = involvement.capacity_in_sentence
    alerts = []
    for recipient in recipients.values():
        why = _why(child, recipient.through)
        alerts.append(
            Alert(
                kind=AlertKind.NOW_INVOLVED,
                team_id=recipient.team_id,
                user_id=recipient.user_id,
                person=child,
                involvement=involvement,
                title=f"{involvement.team.agency.name} is now involved with {child.full_name}",
                body=(
                    f"{involvement.team.name} ({involvement.team.agency.name}) started working"
                    f" with {child.name_and_birth}, in {capacity}, on"
                    f" {involvement.started_on:%-d %B %Y}.\n"
                    f"Contact: {newcomer}.\n"
                    f"You are told because {why}."
                ),
            )
        )
    alerts.append(_already_involved(involvement, list(recipients.values())))
    return _alerts_store(alerts, involvement=involvement)


def _already_involved(involvement: Involvement, recipients: list[_Recipient]) -> Alert:
    child = involvement.person
    lines = []
    leads = []
    for recipient in recipients:
        for other in recipient.involvements:
            whom = other.person.full_name
            lines.append(
                f"- {other.get_capacity_display()} with {whom}"
                f" since {other.started_on:%-d %B %Y}: {contact_line(other)}"
            )
            if other.is_lead_professional:
                leads.append(f"{contact_line(other)} ({whom})")
    lead = (
        "Lead professional: " + "; ".join(leads)
        if leads
        else "No lead professional is recorded for the child or their household."
    )
    return Alert(
        kind=AlertKind.ALREADY_INVOLVED,
        team_id=involvement.team_id,
        user_id=involvement.practitioner_id,
        person=child,
        involvement=involvement,
        title=f"Others already work with {child.full_name} and their household",
        body=(
            f"Already working with {child.name_and_birth} and the people they live with:\n"
            + "\n".join(lines)
            + f"\n{lead}"
        ),
    )


def _alerts_store(alerts: list[Alert], **written_for: Any) -> list[Alert]:
    """Store new alerts (one already stored for the same change and team is left as it
    is) and queue the deliveries of all the change's alerts; the alerts stored."""
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    stored = list(Alert.objects.filter(**written_for).select_related("team", "user"))
    _deliveries_queue(stored)
    return stored


def alerts_write(alerts: list[Alert]) -> list[Alert]:
    """Store alerts about things other than involvements and events, each with its
    `key`, in the caller's transaction; one already stored for the same kind, key
    and team is left as it is. Their deliveries are queued."""
    if not alerts:
        return []
    kinds = {a.kind for a in alerts}
    keys = {a.key for a in alerts}
    if "" in keys:
        raise ValueError("alerts_write needs a key on every alert")
    return _alerts_store(alerts, kind__in=kinds, key__in=keys)


def _deliveries_queue(alerts: Iterable[Alert]) -> None:
    rows = []
    for alert in alerts:
        rows.append(Delivery(alert=alert, channel=Channel.INBOX))
        address = (alert.user.email if alert.user else "") or alert.team.email
        if address:
            rows.append(Delivery(alert=alert, channel=Channel.EMAIL, address=address))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        from tellonce.alerts.tasks import alerts_deliver

        # After the involvement and its alerts are committed, never before.
        transaction.on_commit(lambda: alerts_deliver.enqueue())


# ----- the worker's side


def lease() -> timedelta:
    return timedelta(seconds=settings.ALERT_DELIVERY_LEASE_SECONDS)


def _waiting(now: datetime) -> Q:
    return Q(sent_on__isnull=True) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def deliveries_send(*, limit: int = 500) -> int:
    """Deliver waiting alerts; how many were delivered. Safe to run in several workers
    at once: each delivery is claimed atomically before it is worked on. Inbox
    deliveries go first, many at a time (a morning's Operation Encompass batch is
    thousands); emails then one by one."""
    done = _inboxes_deliver(limit=limit)
    ids = list(
        Delivery.objects.filter(_waiting(timezone.now()), channel=Channel.EMAIL)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in ids:
        now = timezone.now()
        until = now + lease()
        claimed = Delivery.objects.filter(_waiting(now), pk=delivery_id).update(
            claimed_until=until, attempts=F("attempts") + 1
        )
        if not claimed:
            continue  # another worker has it
        delivery = Delivery.objects.select_related("alert").get(pk=delivery_id)
        if _email_send(delivery, until):
            done += 1
    return done


def _inboxes_deliver(*, limit: int) -> int:
    """Put waiting alerts in their inboxes, a batch at a time: each batch's deliveries
    and alerts are marked in one transaction, so each alert appears exactly once. Rows
    another worker holds are skipped (PostgreSQL; SQLite has one writer anyway)."""
    done = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            batch = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(_waiting(now), channel=Channel.INBOX)
                .order_by("pk")
                .only("pk", "alert_id")[:limit]
            )
            if not batch:
                return done
            Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(
                sent_on=now, attempts=F("attempts") + 1
            )
            Alert.objects.filter(
                pk__in=[d.alert_id for d in batch], delivered_on__isnull=True
            ).update(delivered_on=now)
        done += len(batch)


def _email_send(delivery: Delivery, until: datetime) -> bool:
    message_id = f"<alert-delivery-{delivery.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
    message = EmailMessage(
        subject="A new TellOnce alert is waiting for you",
        body=(
            "You have a new alert in TellOnce about a child or family you work with.\n"
            f"Sign in to read it: {settings.SITE_URL}/alerts/\n"
            "For their safety, alerts are never sent by email."
        ),
        to=[delivery.address],
        # The same id on every attempt: a mail system that gets a message twice (a
        # worker killed after handing it over, before it could record that) sees one.
        headers={"Message-ID": message_id},
    )
    try:
        message.send()
    except Exception as exc:
        retry = timezone.now() + lease() * min(2**delivery.attempts, 60)
        Delivery.objects.filter(pk=delivery.pk, claimed_until=until).update(
            claimed_until=retry, last_error=type(exc).__name__
        )
        logger.warning("alert email delivery %s failed: %s", delivery.pk, type(exc).__name__)
        return False
    Delivery.objects.filter(pk=delivery.pk).update(sent_on=timezone.now(), last_error="")
    return True


def next_retry() -> datetime | None:
    """When the earliest claimed, unsent delivery may be taken over."""
    waiting = Delivery.objects.filter(sent_on__isnull=True, claimed_until__isnull=False)
    first = waiting.order_by("claimed_until").values_list("claimed_until", flat=True).first()
    return first


def pending_count() -> int:
    return Delivery.objects.filter(sent_on__isnull=True).count()


def alert_mark_read(*, alert: Alert, user: object) -> Alert:
    if alert.read_on is None:
        alert.read_on = timezone.now()
        alert.read_by = user  # type: ignore[assignment]
        alert.save(update_fields=["read_on", "read_by"])
    return alert


# ----- CP-IS: unscheduled care for a child with a protection plan or in care

CP_IS_CAPACITIES = (Capacity.CHILD_PROTECTION, Capacity.LOOKED_AFTER)


def cp_is_involvements(person: Person) -> list[Involvement]:
    """The child's current child protection and looked-after involvements: who their
    social worker is."""
    return list(
        Involvement.objects.current()
        .filter(person=person, capacity__in=CP_IS_CAPACITIES)
        .select_related("team__agency", "practitioner")
        .order_by("started_on")
    )


def cp_is_check(event: ChronologyEvent) -> list[Alert]:
    """An unscheduled health attendance of a child on a protection plan or looked after
    alerts the child's social worker, in the caller's transaction. What the alert says
    is what CP-IS shares: when and where, not why."""
    if event.kind != EventKind.HEALTH_ATTENDANCE or not event.unscheduled:
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
    return _alerts_store(alerts, chronology_event=event, kind=AlertKind.CP_IS)


def when_said(moment: datetime) -> str:
    """A moment as alerts and messages say it: "24 December 2026, 17:00" (UK time)."""
    return f"{timezone.localtime(moment):%-d %B %Y, %H:%M}"
