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

from tellonce.alerts.models import Alert, AlertKind, Delivery, Webhook

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


#: What the inbox may show: the unread alerts (the default: open work first), or all.
INBOX_SHOWS = {"unread": "Unread", "all": "All"}


def alert_list(*, user: User, show: str = "unread") -> QuerySet[Alert]:
    """The inbox page's alerts (`INBOX_SHOWS`), newest first."""
    alerts = alert_inbox(user=user)
    return alerts.filter(read_on__isnull=True) if show == "unread" else alerts


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
    "early-help": ("early_help_episode", "api:early-help-episode"),
    "no-lead": ("no_lead_notice", None),
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


# ----- what an alert's page says

#: An alert's kind -> what its button does, where it links to the thing to act on;
#: "{whose}" is "Amir's" for an alert about Amir (else "the"). A kind not here (or an
#: alert linking to a page the kind does not usually link to, `LINK_ACTIONS`) says
#: what its link opens.
KIND_ACTIONS: dict[str, str] = {
    AlertKind.RFI_RECEIVED: "Answer the request",
    AlertKind.RFI_CHASE: "Answer the request",
    AlertKind.RFI_ESCALATED: "Answer the request",
    AlertKind.RFI_ANSWERED: "Read the answer",
    AlertKind.DECISION_OVERDUE: "Open {whose} MASH case",
    AlertKind.STRATEGY_INVITE: "See the strategy discussion",
    AlertKind.CONFERENCE_OVERDUE: "Open {whose} MASH case",
    AlertKind.ACTION_ASSIGNED: "See your actions",
    AlertKind.MISSING_REPORTED: "Open {whose} missing report",
    AlertKind.MISSING_UNACKNOWLEDGED: "Open {whose} missing report",
    AlertKind.MISSING_RETURNED: "Open {whose} missing report",
    AlertKind.MISSING_PATTERN: "Open {whose} missing report",
    AlertKind.RHI_ASSIGNED: "Open {whose} return home interview",
    AlertKind.RHI_DUE: "Open {whose} return home interview",
    AlertKind.RHI_SHARED: "Read {whose} return home interview",
    AlertKind.ENCOMPASS: "Acknowledge the notification",
    AlertKind.ENCOMPASS_CHASE: "Acknowledge the notification",
    AlertKind.ENCOMPASS_COUNCIL: "Acknowledge the notification",
    AlertKind.ENCOMPASS_ESCALATED: "Open the notification",
    AlertKind.ENCOMPASS_WITHDRAWN: "Open the notification",
    AlertKind.INVOLVEMENT_TO_CONFIRM: "Confirm the involvement",
    AlertKind.ACCOUNT_CHANGE: "Review the change",
    AlertKind.EARLY_HELP_LEAD_ASKED: "Say whether you will lead",
    AlertKind.EARLY_HELP_LEAD_ANSWERED: "Open {whose} early help",
    AlertKind.EARLY_HELP_NO_LEAD: "Find a lead for {whose} early help",
}

#: Where a link leads (its start) -> what the button does, for links a kind does not
#: decide: a late request's alert to the MASH's managers opens the case, not the request.
LINK_ACTIONS: list[tuple[str, str]] = [
    ("/mash/requests/", "See your requests for information"),
    ("/mash/cases/", "Open {whose} MASH case"),
    ("/mash/actions/", "See your actions"),
    ("/mash/contacts/", "See the contact"),
    ("/mash/", "Open the MASH queue"),
    ("/early-help/", "Open {whose} early help"),
    ("/people/", "Open {whose} record"),
]

#: The link prefix each kind's usual action is written for.
KIND_LINKS: dict[str, str] = {
    AlertKind.RFI_RECEIVED: "/mash/requests/",
    AlertKind.RFI_CHASE: "/mash/requests/",
    AlertKind.RFI_ESCALATED: "/mash/requests/",
}


def _whose(alert: Alert) -> str:
    return "the" if alert.person is None else f"{alert.person.given_name}'s"


def alert_action(alert: Alert) -> str:
    """What the alert's button says it does ("Answer the request", "Open Amir's
    record"); "" where there is nothing to open (no link, or a link to the alert)."""
    link = alert.link
    if not link:
        return f"Open {_whose(alert)} record" if alert.person_id else ""
    if link.rstrip("/") == f"/alerts/{alert.pk}":
        return ""
    action = KIND_ACTIONS.get(alert.kind)
    usual = KIND_LINKS.get(alert.kind)
    if action is None or (usual is not None and not link.startswith(usual)):
        action = next((said for start, said in LINK_ACTIONS if link.startswith(start)), "Open it")
    return action.format(whose=_whose(alert))


def alert_link(alert: Alert) -> str:
    """Where the alert's button goes: its link, or else the record of the person it is
    about."""
    if alert.link:
        return alert.link
    return reverse("people:record", args=[alert.person_id]) if alert.person_id else ""


#: A line of an alert's body is a fact ("Police reference: NB-1234") where it starts
#: with a short label and ": "; other lines are sentences ("You are told because...").
_FACT_LABEL_MAX = 40


def alert_facts(alert: Alert) -> tuple[list[str], list[tuple[str, str]]]:
    """The alert's body split into its sentences and its facts (label, value)."""
    sentences: list[str] = []
    facts: list[tuple[str, str]] = []
    for line in alert.body.splitlines():
        label, colon, value = line.partition(": ")
        if colon and value.strip() and 0 < len(label) <= _FACT_LABEL_MAX and "." not in label:
            facts.append((label.strip(), value.strip()))
        elif line.strip():
            sentences.append(line.strip())
    return sentences, facts


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
