"""The worker delivers alerts: at once after each change that writes some, and again
whenever a delivery held by a worker that died (or an email that failed) may be taken
over. `alerts_deliver_ensure` starts a round when the service starts, so alerts left by
a crash go out even if nothing new happens."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from tellonce.alerts.services import deliveries_send, next_retry, pending_count


@task()
def alerts_deliver() -> dict[str, int]:
    sent = deliveries_send()
    waiting = pending_count()
    if waiting:
        alerts_deliver_later()
    return {"sent": sent, "waiting": waiting}


def alerts_deliver_later() -> None:
    """Book a round for when the first held delivery may be taken over (tests, whose
    tasks run at once, book nothing)."""
    if not alerts_deliver.get_backend().supports_defer:
        return
    when = next_retry() or timezone.now()
    alerts_deliver.using(run_after=when + timedelta(seconds=1)).enqueue()


def alerts_deliver_ensure() -> None:
    """A round now, if anything is waiting (the service calls it on start)."""
    if pending_count():
        alerts_deliver.enqueue()
