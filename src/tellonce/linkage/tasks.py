"""Linkage work the task worker does.

- `feed_records_link`: after a feed file lands (the feeds' `RECORDS_LANDED` hook:
  `feed_records_link_soon`), link each of its agency's records that
  has no person yet, one by one on the real-time path (`arrivals`), so a child in this
  morning's file is known to the other agencies within the minute, not tomorrow.
- `nightly_link_run`: the full linkage run over every record (`services.link_run`) at
  02:00 UK time each night, when nobody is waiting for the database; it then books the
  next night's run. `nightly_link_ensure` books it if it is not booked (`tellonce
  serve` calls it on start through `ON_SERVE`, so a fresh install or a lost booking
  heals itself).
- `unlinked_records_tick`: a clock tick that hands linkage the records an import
  killed part way left without a person (it never reached `RECORDS_LANDED`).

Both run on the `linkage` queue, which `tellonce serve` gives a worker of its own.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from tellonce.feeds.models import FeedImport
from tellonce.linkage.arrivals import records_link
from tellonce.linkage.services import LinkageNotReadyError, active_model, link_run
from tellonce.people.models import AgencyRecord

logger = logging.getLogger(__name__)

UK = ZoneInfo("Europe/London")
NIGHTLY_AT = time(2, 0)
#: Linkage runs for a minute or more: they have a queue and a worker of their own, so
#: alerts, notifications and the clock never wait behind them.
LINKAGE_QUEUE = "linkage"


#: Above this many records waiting, one linkage run links them all faster than linking
#: each on arrival (and weighs them together).
ARRIVALS_AT_MOST = 5000


@task(queue_name=LINKAGE_QUEUE)
def feed_records_link(feed_import_id: int) -> dict[str, int]:
    """Link the records of the feed's agency that have no person yet: this file's new
    records, and any left by an import that stopped part way. A very large file (an
    agency's first) gets a whole linkage run instead."""
    feed = FeedImport.objects.get(pk=feed_import_id)
    waiting = list(
        AgencyRecord.objects.filter(agency_id=feed.agency_id, person__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(waiting) > ARRIVALS_AT_MOST:
        try:
            run = link_run()
        except LinkageNotReadyError:
            return {"waiting for the first linkage run": len(waiting)}
        return {"linkage run": run.pk, "records": run.records}
    counts = {str(outcome): n for outcome, n in records_link(waiting).items()}
    # Counts only: never a name or an identifier.
    logger.info("feed import %s: records linked on arrival %s", feed_import_id, counts)
    return counts


def feed_records_link_soon(feed: FeedImport) -> None:
    """`RECORDS_LANDED`: the worker links the feed's new records once the import returns."""
    feed_records_link.enqueue(feed.pk)


#: A feed's record still without a person this long after it landed was never handed
#: to linkage: its import was killed before it could say so (`RECORDS_LANDED`).
UNLINKED_AFTER = timedelta(minutes=10)


def unlinked_records_tick(now: datetime) -> dict[str, int]:
    """A clock tick (`CLOCK_TICKS`): each agency with feed records left without a person
    by an import that never finished gets a `feed_records_link` of its latest such
    feed, unless one is already waiting, so they are linked within minutes, not at
    night. Nothing to do before the first linkage run."""
    try:
        active_model()
    except LinkageNotReadyError:
        return {"agencies": 0}
    stale = AgencyRecord.objects.filter(
        person__isnull=True, feed__isnull=False, received_on__lt=now - UNLINKED_AFTER
    )
    by_agency = stale.values("agency_id").annotate(latest=Max("feed_id"))
    latest = dict(by_agency.values_list("agency_id", "latest"))
    waiting = set(_linking_agencies())
    booked = 0
    for agency_id, feed_id in latest.items():
        if agency_id not in waiting:
            feed_records_link.enqueue(feed_id)
            booked += 1
    if booked:
        logger.warning("records left unlinked by an unfinished import: %s agencies", booked)
    return {"agencies": booked}


def _linking_agencies() -> list[int]:
    """The agencies a `feed_records_link` waiting or running will link."""
    if not feed_records_link.get_backend().supports_defer:
        return []
    from django_tasks_db.models import DBTaskResult

    feeds = [
        booked["args"][0]
        for booked in DBTaskResult.objects.filter(
            task_path=feed_records_link.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).values_list("args_kwargs", flat=True)
    ]
    return list(FeedImport.objects.filter(pk__in=feeds).values_list("agency_id", flat=True))


def next_nightly_run(now: datetime) -> datetime:
    """The next 02:00 in the UK after `now` (an aware datetime)."""
    local = now.astimezone(UK)
    candidate = datetime.combine(local.date(), NIGHTLY_AT, tzinfo=UK)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), NIGHTLY_AT, tzinfo=UK)
    return candidate


@task(queue_name=LINKAGE_QUEUE)
def nightly_link_run() -> dict[str, Any]:
    """Link every record with the active model; then book tomorrow night's run."""
    try:
        run = link_run()
        result: dict[str, Any] = {
            "run": run.pk,
            "merges": run.merges,
            "splits": run.splits,
            "new_persons": run.persons_new,
            "review_pairs": run.review_pairs,
        }
    except LinkageNotReadyError:
        result = {"skipped": "no linkage model trained yet"}
    finally:
        # The run itself is RUNNING now, so this books tomorrow's.
        nightly_link_ensure()
    return result


def nightly_link_ensure() -> datetime | None:
    """Book the next nightly run unless one is waiting; the time booked, or None when
    one was already booked or the task backend cannot defer tasks (tests run tasks at
    once)."""
    if not nightly_link_run.get_backend().supports_defer:
        return None
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=nightly_link_run.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return None
    when = next_nightly_run(timezone.now())
    nightly_link_run.using(run_after=when).enqueue()
    return when


def nightly_link_booked() -> str | None:
    """`ON_SERVE`: book the nightly run, and say when."""
    booked = nightly_link_ensure()
    return None if booked is None else f"Nightly linkage run booked for {booked:%Y-%m-%d %H:%M %Z}."
