"""The outbox: storing alerts and delivering them.

Every app writes its alerts here, in the transaction of the change they tell of (the
transactional outbox): `alerts_store` for alerts about one change (an involvement, a
chronology event), `alerts_write` for alerts that carry their own key. Either way an
alert already stored for the same change and team is left as it is, and each stored
alert gets its deliveries (the inbox, and an email that names no one).
`deliveries_send` is the worker's side (see `models` for why each alert arrives exactly
once). What an alert says, and to whom, is the business of the app that writes it: the
involvement register's "now involved" alerts are in `tellonce.involvements.services`,
CP-IS's in `tellonce.cpis`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind, Channel, Delivery
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via

if TYPE_CHECKING:
    from tellonce.accounts.models import User

logger = logging.getLogger(__name__)


def alerts_store(alerts: list[Alert], **written_for: Any) -> list[Alert]:
    """Store new alerts about one change (`written_for`: `involvement=...`,
    `chronology_event=...`); one already stored for the same change and team is left as
    it is. The deliveries of all the change's alerts are queued; the alerts stored."""
    for alert in alerts:
        # "Ignore conflicts" on SQLite would ignore a missing team too: refuse it here,
        # so that no alert is ever dropped in silence.
        if alert.team_id is None or not alert.title or not alert.kind:
            raise ValueError(f"An alert needs a team, a kind and a title: {alert.kind!r}")
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
    return alerts_store(alerts, kind__in=kinds, key__in=keys)


def _deliveries_queue(alerts: Iterable[Alert]) -> None:
    rows = []
    for alert in alerts:
        rows.append(Delivery(alert=alert, channel=Channel.INBOX))
        address = (alert.user.email if alert.user else "") or alert.team.email
        if address:
            rows.append(Delivery(alert=alert, channel=Channel.EMAIL, address=address))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        from tellonce.alerts.tasks import alerts_deliver, alerts_email

        # After the involvement and its alerts are committed, never before; inboxes and
        # emails on queues of their own, so no inbox waits behind a slow mail server.
        transaction.on_commit(lambda: alerts_deliver.enqueue())
        if any(row.channel == Channel.EMAIL for row in rows):
            transaction.on_commit(lambda: alerts_email.enqueue())


# ----- the worker's side


def lease() -> timedelta:
    return timedelta(seconds=settings.ALERT_DELIVERY_LEASE_SECONDS)


def _waiting(now: datetime) -> Q:
    return Q(sent_on__isnull=True) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def deliveries_send(*, limit: int = 500) -> int:
    """Deliver waiting alerts, inboxes then emails; how many were delivered. The
    workers do each on its own queue (`tasks`); this is both, for a test or a command."""
    return inboxes_deliver(limit=limit) + emails_send(limit=limit)


def emails_send(*, limit: int = 500) -> int:
    """Send waiting alert emails one by one; how many were sent. Safe to run in several
    workers at once: each delivery is claimed atomically before it is worked on."""
    done = 0
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


def inboxes_deliver(*, limit: int = 500) -> int:
    """Put waiting alerts in their inboxes, a batch at a time (a morning's Operation
    Encompass batch is thousands): each batch's deliveries
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
    """When the earliest claimed, unsent email may be taken over (inboxes are never
    claimed: each batch is one transaction)."""
    waiting = Delivery.objects.filter(sent_on__isnull=True, claimed_until__isnull=False)
    first = waiting.order_by("claimed_until").values_list("claimed_until", flat=True).first()
    return first


def pending_count(channel: str | None = None) -> int:
    """Deliveries not yet made (of one channel, or all)."""
    waiting = Delivery.objects.filter(sent_on__isnull=True)
    return (waiting.filter(channel=channel) if channel else waiting).count()


def alert_mark_read(*, alert: Alert, user: object) -> Alert:
    if alert.read_on is None:
        alert.read_on = timezone.now()
        alert.read_by = user  # type: ignore[assignment]
        alert.save(update_fields=["read_on", "read_by"])
    return alert


def alert_looked_at(via: Via, *, user: User, alert: Alert) -> None:
    """An alert that names a person is a look at them: audited as one."""
    if alert.person_id is not None:
        audit_via(
            via,
            user=user,
            action=Action.VIEW,
            person=alert.person,
            obj=alert,
            detail={"what": "alert"},
        )


def account_change_told(change: Any, what: str) -> list[Alert]:
    """`ACCOUNT_CHANGED`: every administrator of the partnership hears of a change that
    widens an account, asked for, approved or refused (a system alert: no person)."""
    from tellonce.accounts.selectors import administrators

    stamp = f"{change.pk}:{change.decided_on.isoformat() if change.decided_on else 'asked'}"
    return alerts_write(
        [
            Alert(
                kind=AlertKind.ACCOUNT_CHANGE,
                key=f"account-change:{stamp}:{admin.pk}",
                team=admin.team,
                user=admin,
                link="/admin/accounts/accountchange/",
                title=f"An account's powers: {change.user}",
                body=f"{what}\nWhy: {change.reason}",
            )
            for admin in administrators()
        ]
    )
