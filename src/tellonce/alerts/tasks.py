"""The workers deliver alerts: at once after each change that writes some, and again
whenever an email that failed (or was held by a worker that died) may be taken over.
Inboxes and emails are delivered by different tasks on different queues, each with a
worker of its own (`TASK_WORKERS`), so an alert reaches the inboxes within seconds
however slow the mail server is. Webhooks (`alerts_webhooks`) have a queue and a worker
of their own too, so an agency's slow or dead receiver holds up neither.
`alerts_deliver_ensure` starts each when the service starts, so alerts left by a crash
go out even if nothing new happens."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from tellonce.alerts.models import Channel
from tellonce.alerts.services import (
    emails_send,
    inboxes_deliver,
    next_retry,
    pending_count,
    webhooks_send,
)

#: Alerts' emails: slow, and never in the inboxes' way.
EMAIL_QUEUE = "alerts_email"
#: Alerts POSTed to agency systems' webhooks: a receiver may be slow, or down.
WEBHOOK_QUEUE = "webhooks"


@task()
def alerts_deliver() -> dict[str, int]:
    """Put waiting alerts in their inboxes."""
    return {"sent": inboxes_deliver(), "waiting": pending_count(Channel.INBOX)}


@task(queue_name=EMAIL_QUEUE)
def alerts_email() -> dict[str, int]:
    """Send waiting alerts' emails; book another round if some must wait to be retried."""
    sent = emails_send()
    waiting = pending_count(Channel.EMAIL)
    if waiting:
        alerts_email_later()
    return {"sent": sent, "waiting": waiting}


def alerts_email_later() -> None:
    """Book a round for when the first held email may be taken over."""
    _later(alerts_email, Channel.EMAIL)


@task(queue_name=WEBHOOK_QUEUE)
def alerts_webhooks() -> dict[str, int]:
    """POST waiting alerts to their webhooks; book another round for the retries."""
    sent = webhooks_send()
    waiting = pending_count(Channel.WEBHOOK)
    if waiting:
        _later(alerts_webhooks, Channel.WEBHOOK)
    return {"sent": sent, "waiting": waiting}


def _later(round_: Task[[], dict[str, int]], channel: str) -> None:
    """Book a round for when the channel's first held delivery may be taken over
    (tests, whose tasks run at once, book nothing)."""
    if not round_.get_backend().supports_defer:
        return
    when = next_retry(channel) or timezone.now()
    round_.using(run_after=when + timedelta(seconds=1)).enqueue()


def alerts_deliver_ensure() -> None:
    """A round of each now, if anything is waiting (the service calls it on start)."""
    if pending_count(Channel.INBOX):
        alerts_deliver.enqueue()
    if pending_count(Channel.EMAIL):
        alerts_email.enqueue()
    if pending_count(Channel.WEBHOOK):
        alerts_webhooks.enqueue()
