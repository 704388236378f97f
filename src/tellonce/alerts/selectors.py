"""What alerts a user sees: those to them, and those to their team. An agency's system
account sees its own team's, as a person of that team does, never another team's of its
agency. Only delivered alerts: the inbox is what the worker has delivered.

What an alert is about (`alert_subject`): the involvement or chronology event it
reports, or else the object its `key` names ("rfi:12", "missing:7:desk"), with the API
URL to fetch it where the API has one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from tellonce.alerts.models import Alert, Delivery, Webhook

if TYPE_CHECKING:
    from tellonce.accounts.models import User


def alert_inbox(*, user: User) -> QuerySet[Alert]:
    team = user.team
    if team is None:
        return Alert.objects.none()
    return (
        Alert.objects.filter(Q(user=user) | Q(team=team), delivered_on__isnull=False)
        .select_related("team__agency", "user", "person")
        .order_by("-delivered_on", "-pk")
    )


def alert_get_for_user(*, user: User, alert_id: int) -> Alert:
    alert = alert_inbox(user=user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert in your inbox")
    return alert


def unread_count(*, user: User) -> int:
    return alert_inbox(user=user).filter(read_on__isnull=True).count()


@dataclass(frozen=True)
class AlertSubject:
    """What an alert is about: its type, its id, and its API URL (None where the API
    has no endpoint that reads it)."""

    type: str
    id: int
    url: str | None


#: An alert key's prefix -> (the subject's type, the API route that reads one, by id).
#: Every prefix an alert is written with is here (`alert_subject` is tested on each).
KEY_SUBJECTS: dict[str, tuple[str, str | None]] = {
    "missing": ("missing_episode", "api:missing-episode"),
    "rhi": ("return_interview", None),
    "missing-flag": ("missing_flag", None),
    "rfi": ("information_request", "api:request"),
    "case": ("mash_case", "api:mash-case"),
    "action": ("action", None),
    "strategy": ("strategy_discussion", None),
    "contact": ("contact", None),
    "encompass": ("encompass_notification", "api:encompass-notification"),
    "involvement": ("involvement", None),
    "break-glass": ("break_glass", None),
    "account-change": ("account_change", None),
    "system-burst": ("system_account", None),
}

#: Every type an alert's subject may have.
SUBJECT_TYPES = sorted({"involvement", "chronology_event"} | {t for t, _ in KEY_SUBJECTS.values()})


def _subject(type_: str, pk: int, route: str | None) -> AlertSubject:
    return AlertSubject(type=type_, id=pk, url=reverse(route, args=[pk]) if route else None)


def alert_subject(alert: Alert) -> AlertSubject | None:
    """What the alert is about, or None where it names nothing stored."""
    if alert.involvement_id is not None:
        return _subject("involvement", alert.involvement_id, None)
    if alert.chronology_event_id is not None:
        return _subject("chronology_event", alert.chronology_event_id, None)
    prefix, _, rest = alert.key.partition(":")
    pk = rest.partition(":")[0]
    if prefix not in KEY_SUBJECTS or not pk.isdigit():
        return None
    type_, route = KEY_SUBJECTS[prefix]
    return _subject(type_, int(pk), route)


# ----- webhooks: an agency system's own, with how their deliveries went

#: How many of a webhook's deliveries its list shows, the newest.
RECENT_DELIVERIES = 20


def webhook_list(*, user: User) -> QuerySet[Webhook]:
    """The webhooks an agency system account registered, newest first (none for a
    person), each with its recent deliveries, newest first (`recent`)."""
    if not user.is_system_account:
        return Webhook.objects.none()
    recent = Delivery.objects.order_by("-pk")[:RECENT_DELIVERIES]
    return Webhook.objects.filter(account=user).prefetch_related(
        Prefetch("deliveries", queryset=recent, to_attr="recent")
    )


def webhook_get_for_user(*, user: User, webhook_id: int) -> Webhook:
    webhook = Webhook.objects.filter(account=user, pk=webhook_id).first()
    if webhook is None or not user.is_system_account:
        raise Http404("No such webhook of yours")
    return webhook


#: What `delivery_status` may say.
DELIVERY_STATUSES = ["delivered", "waiting", "failed"]


def delivery_status(delivery: Delivery) -> str:
    """delivered; failed (given up after its last attempt); or waiting (for its first
    try, or its next, at `claimed_until`)."""
    if delivery.sent_on is not None:
        return "delivered"
    if delivery.failed_on is not None:
        return "failed"
    return "waiting"
