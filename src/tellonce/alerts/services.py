"""The outbox: storing alerts and delivering them.

Every app writes its alerts here, in the transaction of the change they tell of (the
transactional outbox): `alerts_store` for alerts about one change (an involvement, a
chronology event), `alerts_write` for alerts that carry their own key. Either way an
alert already stored for the same change and team is left as it is, and each stored
alert gets its deliveries (the inbox, and an email that names no one).
`deliveries_send` is the worker's side (see `models` for why each alert arrives exactly
once). An alert to a team whose agency system has registered a webhook is also POSTed
to it, signed (`webhook_register`, `webhooks_send`; the receiving side is in README.md).
What an alert says, and to whom, is the business of the app that writes it: the
involvement register's "now involved" alerts are in `tellonce.involvements.services`,
CP-IS's in `tellonce.cpis`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind, Channel, Delivery, Webhook
from tellonce.alerts.selectors import alert_subject
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
    alerts = list(alerts)
    hooks = _webhooks_of_teams({alert.team_id for alert in alerts})
    rows = []
    for alert in alerts:
        rows.append(Delivery(alert=alert, channel=Channel.INBOX))
        address = (alert.user.email if alert.user else "") or alert.team.email
        if address:
            rows.append(Delivery(alert=alert, channel=Channel.EMAIL, address=address))
        if alert.delivered_on is None:  # new: an old alert stored again is not resent
            rows += [
                Delivery(alert=alert, channel=Channel.WEBHOOK, address=hook.url, webhook=hook)
                for hook in hooks.get(alert.team_id, [])
            ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        from tellonce.alerts.tasks import alerts_deliver, alerts_email, alerts_webhooks

        # After the involvement and its alerts are committed, never before; inboxes,
        # emails and webhooks on queues of their own, so no inbox waits behind a slow
        # mail server or a dead receiver.
        transaction.on_commit(lambda: alerts_deliver.enqueue())
        if any(row.channel == Channel.EMAIL for row in rows):
            transaction.on_commit(lambda: alerts_email.enqueue())
        if any(row.channel == Channel.WEBHOOK for row in rows):
            transaction.on_commit(lambda: alerts_webhooks.enqueue())


def _webhooks_of_teams(team_ids: set[int]) -> dict[int, list[Webhook]]:
    """The active webhooks of the agency system accounts of these teams, by team."""
    hooks: dict[int, list[Webhook]] = {}
    for hook in Webhook.objects.filter(
        active=True,
        account__is_system_account=True,
        account__is_active=True,
        account__team_id__in=team_ids,
    ).select_related("account"):
        hooks.setdefault(hook.account.team_id, []).append(hook)  # type: ignore[arg-type]
    return hooks


# ----- the worker's side


def lease() -> timedelta:
    return timedelta(seconds=settings.ALERT_DELIVERY_LEASE_SECONDS)


def _pending() -> Q:
    """Not yet made, not given up, and not to a webhook since deactivated.

    No join: the delivery's own columns only, and the stopped webhooks as a subquery,
    so that PostgreSQL locks (`FOR UPDATE`) and re-checks a claim (`_claimed`) on the
    delivery's row itself; through a join it refuses the one and not the other."""
    stopped = Webhook.all_objects.filter(Q(active=False) | Q(archived_on__isnull=False))
    return Q(sent_on__isnull=True, failed_on__isnull=True) & ~Q(webhook_id__in=stopped.values("pk"))


def _waiting(now: datetime) -> Q:
    return _pending() & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def _claimed(delivery_id: int) -> datetime | None:
    """Claim a waiting delivery for a lease, counting the attempt: until when, or None
    if another worker has it (or it was made meanwhile)."""
    now = timezone.now()
    until = now + lease()
    claimed = Delivery.objects.filter(_waiting(now), pk=delivery_id).update(
        claimed_until=until, attempts=F("attempts") + 1
    )
    return until if claimed else None


def _retry_later(delivery: Delivery, until: datetime, **changes: Any) -> None:
    """A failed attempt: the delivery is held for longer after each (a lease, doubling,
    at most an hour); a webhook's is given up after `WEBHOOK_MAX_ATTEMPTS`."""
    attempts = delivery.attempts  # read after the claim counted this one
    if delivery.channel == Channel.WEBHOOK and attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        changes.update(failed_on=timezone.now(), claimed_until=None)
    else:
        changes["claimed_until"] = timezone.now() + lease() * min(2**attempts, 60)
    # Only while the claim is still ours: a worker that took it over has it now.
    Delivery.objects.filter(pk=delivery.pk, claimed_until=until).update(**changes)


def deliveries_send(*, limit: int = 500) -> int:
    """Deliver waiting alerts, inboxes, emails then webhooks; how many were delivered.
    The workers do each on its own queue (`tasks`); this is all, for a test or a command."""
    return inboxes_deliver(limit=limit) + emails_send(limit=limit) + webhooks_send(limit=limit)


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
        until = _claimed(delivery_id)
        if until is None:
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
        _retry_later(delivery, until, last_error=type(exc).__name__)
        logger.warning("alert email delivery %s failed: %s", delivery.pk, type(exc).__name__)
        return False
    Delivery.objects.filter(pk=delivery.pk).update(sent_on=timezone.now(), last_error="")
    return True


def next_retry(channel: str = Channel.EMAIL) -> datetime | None:
    """When the earliest claimed, unsent email (or webhook delivery) may be taken over
    (inboxes are never claimed: each batch is one transaction)."""
    waiting = Delivery.objects.filter(_pending(), channel=channel, claimed_until__isnull=False)
    first = waiting.order_by("claimed_until").values_list("claimed_until", flat=True).first()
    return first


def pending_count(channel: str | None = None) -> int:
    """Deliveries not yet made nor given up (of one channel, or all)."""
    waiting = Delivery.objects.filter(_pending())
    return (waiting.filter(channel=channel) if channel else waiting).count()


# ----- webhooks: an agency system's team's new alerts, POSTed to it, signed

#: The hosts a webhook may reach over plain http, where `WEBHOOK_ALLOW_LOOPBACK_HTTP`.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def webhook_url_problem(url: str) -> str | None:
    """What is wrong with a webhook's URL, or None: https, or http to this machine
    where the setting allows it (development, tests, the demo)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "Enter a URL like https://example.org/tellonce"
    loopback = settings.WEBHOOK_ALLOW_LOOPBACK_HTTP
    if not host or parts.scheme not in ("http", "https"):
        return "Enter a URL like https://example.org/tellonce"
    if parts.username or parts.password:
        return "A webhook's URL must not hold a user name or password"
    if parts.scheme == "https" or (loopback and host in LOOPBACK_HOSTS):
        if _host_refused(url):
            return "A webhook may not reach this machine or its network's own services"
        return None
    also = " (or http:// to 127.0.0.1, localhost or ::1)" if loopback else ""
    return f"A webhook's URL must start with https://{also}"


def _address_refused(addresses: Iterable[str]) -> bool:
    """Whether any address is one a webhook must never reach: a link-local address (a
    cloud's metadata service), an unspecified, multicast or reserved one, or this
    machine outside development (`WEBHOOK_ALLOW_LOOPBACK_HTTP`). Names that are not
    addresses pass here; they are checked as resolved, before each send."""
    for text in addresses:
        try:
            address = ipaddress.ip_address(text.split("%")[0])
        except ValueError:
            continue
        if (
            address.is_link_local
            or address.is_unspecified
            or address.is_multicast
            or address.is_reserved
            or (address.is_loopback and not settings.WEBHOOK_ALLOW_LOOPBACK_HTTP)
        ):
            return True
    return False


def _host_refused(url: str) -> bool:
    """`_address_refused` for every address the URL's host resolves to now (one that
    does not resolve fails on sending, and is retried)."""
    host = urlsplit(url).hostname or ""
    if host in ("localhost",) and not settings.WEBHOOK_ALLOW_LOOPBACK_HTTP:
        return True
    try:
        found = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return _address_refused([str(info[4][0]) for info in found])


def webhook_secret(webhook: Webhook) -> str:
    """The webhook's signing secret: never stored, derived from `WEBHOOK_KEY` over the
    webhook's id and creation time, so TellOnce can sign with it and show it once."""
    stamp = webhook.created_on.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%f")
    message = f"webhook:{webhook.pk}:{stamp}".encode()
    return hmac.new(settings.WEBHOOK_KEY.encode(), message, hashlib.sha256).hexdigest()


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """`X-TellOnce-Signature`: the hex HMAC-SHA256 of "<timestamp>.<raw body>"."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def webhook_register(*, account: User, url: str, via: Via) -> tuple[Webhook, str]:
    """Register a webhook for an agency system account; the webhook and its secret,
    which is shown this once."""
    if not account.is_system_account or account.team_id is None:
        raise PermissionDenied("Only an agency's system account registers webhooks")
    problem = webhook_url_problem(url)
    if problem:
        raise ValidationError({"url": problem})
    with transaction.atomic():
        webhook = Webhook.objects.create(account=account, url=url, created_by=account)
        audit_via(
            via, user=account, action=Action.CHANGE, obj=webhook, detail={"what": "webhook added"}
        )
    return webhook, webhook_secret(webhook)


def webhook_deactivate(*, webhook: Webhook, by: User, via: Via) -> Webhook:
    """Stop a webhook: nothing more is sent to it, what waited included. Again is
    harmless."""
    if webhook.active:
        with transaction.atomic():
            webhook.active = False
            webhook.deactivated_on = timezone.now()
            webhook.modified_by = by
            webhook.save(update_fields=["active", "deactivated_on", "modified_by", "modified_on"])
            audit_via(
                via, user=by, action=Action.CHANGE, obj=webhook, detail={"what": "webhook stopped"}
            )
    return webhook


def webhook_delivery_id(alert: Alert) -> str:
    """The delivery's id, the same on every attempt: a receiver drops repeats by it."""
    return f"alert-{alert.pk}"


def webhook_body(alert: Alert) -> bytes:
    """What is POSTed: the alert's own words, no more."""
    subject = alert_subject(alert)
    payload = {
        "id": webhook_delivery_id(alert),
        "kind": alert.kind,
        "title": alert.title,
        "body": alert.body,
        "about": asdict(subject) if subject else None,
        "created_on": alert.created_on.isoformat(),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer that is not 2xx: never followed (it could lead anywhere,
    over plain http too)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def webhooks_send(*, limit: int = 100) -> int:
    """POST waiting webhook deliveries, a receiver at a time in turn; how many were
    delivered. Each is claimed as emails are: a receiver that is slow (up to
    `WEBHOOK_TIMEOUT_SECONDS`) or down is tried once a round and then waits for its
    retry, holding up the others by one attempt at most."""
    done = 0
    waiting = list(
        Delivery.objects.filter(_waiting(timezone.now()), channel=Channel.WEBHOOK)
        .order_by("pk")
        .values_list("pk", "webhook_id")[:limit]
    )
    # Each receiver in turn, oldest first within it; one that fails is tried no more
    # this round (its deliveries wait, untouched, for the next), so a receiver that is
    # down or slow costs a round one attempt, whatever it has waiting.
    queues: dict[int | None, list[int]] = {}
    for pk, hook in waiting:
        queues.setdefault(hook, []).append(pk)
    while queues:
        for webhook_id in list(queues):
            delivery_id = queues[webhook_id].pop(0)
            if not queues[webhook_id]:
                del queues[webhook_id]
            until = _claimed(delivery_id)
            if until is None:
                continue
            delivery = Delivery.objects.select_related("alert", "webhook").get(pk=delivery_id)
            if _webhook_post(delivery, until):
                done += 1
            else:
                queues.pop(webhook_id, None)
    return done


def _webhook_post(delivery: Delivery, until: datetime) -> bool:
    assert delivery.webhook is not None
    body = webhook_body(delivery.alert)
    timestamp = str(int(time.time()))
    # The URL was checked for http(s) when the webhook was registered.
    request = urllib.request.Request(  # noqa: S310
        delivery.address,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "TellOnce-Webhooks",
            "X-TellOnce-Delivery": webhook_delivery_id(delivery.alert),
            "X-TellOnce-Timestamp": timestamp,
            "X-TellOnce-Signature": webhook_signature(
                webhook_secret(delivery.webhook), timestamp, body
            ),
        },
    )
    status: int | None = None
    if _host_refused(delivery.address):
        # Resolved now to an address no webhook may reach: never sent, retried in case
        # the name is put right, then failed.
        logger.warning("webhook delivery %s refused: its host is not reachable", delivery.pk)
        _retry_later(delivery, until, last_status=None, last_error="Address refused")
        return False
    try:
        with _OPENER.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:  # an answer, but not 2xx
        status = exc.code
        exc.close()
        error = f"HTTP {status}"
    except (OSError, ValueError) as exc:  # no connection, a timeout
        reason = getattr(exc, "reason", exc)
        error = type(reason).__name__
    else:
        Delivery.objects.filter(pk=delivery.pk).update(
            sent_on=timezone.now(), last_status=status, last_error=""
        )
        return True
    # Never the body, nor anyone's name: which delivery, and what went wrong.
    logger.warning("webhook delivery %s failed: %s", delivery.pk, error)
    _retry_later(delivery, until, last_status=status, last_error=error[:200])
    return False


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
