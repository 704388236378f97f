"""When the mail server is slow (two seconds a message), alerts still reach their
inboxes at once: the inboxes and the emails are delivered by different tasks on
different queues, which `tellonce serve` gives different workers."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date

import pytest
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django_tasks_db.models import DBTaskResult

from tellonce.alerts.models import Alert, Channel, Delivery
from tellonce.alerts.services import emails_send
from tellonce.involvements.models import Capacity
from tellonce.involvements.services import involvement_start

pytestmark = pytest.mark.django_db


class TwoSecondsAMessage(BaseEmailBackend):
    sent: list[str] = []

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        time.sleep(2)
        self.sent.extend(m.to[0] for m in email_messages)
        return len(email_messages)


def _queue_run(queues: list[str]) -> None:
    """What a worker for these queues does with the tasks booked on them."""
    for booked in DBTaskResult.objects.filter(queue_name__in=queues):
        booked.task.call(*booked.args_kwargs["args"], **booked.args_kwargs["kwargs"])


def test_the_inboxes_are_filled_while_the_slow_emails_wait_their_turn(
    world, settings_override, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for person, team, who, capacity in [
            (world.jack, world.early_help, world.erin, Capacity.EARLY_HELP),
            (world.lily, world.mash, world.sam, Capacity.MASH_ENQUIRY),
            (world.jack, world.leaving_care, world.paul, Capacity.LEAVING_CARE),
        ]:
            involvement_start(
                person=person,
                team=team,
                practitioner=who,
                capacity=capacity,
                started_on=date(2026, 11, 30),
                source_agency=team.agency,
                source_system="TellOnce",
            )
    alerts = Alert.objects.count()
    emails = Delivery.objects.filter(channel=Channel.EMAIL).count()
    assert alerts >= 5 and emails >= 5

    inbox_queues, email_queues = (
        settings.TASK_WORKERS["worker"],
        settings.TASK_WORKERS["email worker"],
    )
    assert not set(inbox_queues) & set(email_queues), "one worker would do both"
    started = time.monotonic()
    _queue_run(inbox_queues)
    assert time.monotonic() - started < 1.5, "the inboxes waited for an email"
    assert Alert.objects.filter(delivered_on__isnull=False).count() == alerts
    assert TwoSecondsAMessage.sent == []

    # Meanwhile the email worker has its own task, and takes its time.
    booked = DBTaskResult.objects.filter(queue_name__in=email_queues)
    assert [b.task_path for b in booked][:1] == ["tellonce.alerts.tasks.alerts_email"]
    assert emails_send(limit=1) == 1 and len(TwoSecondsAMessage.sent) == 1


@pytest.fixture
def settings_override(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": settings.TASKS["default"]["QUEUES"],
        }
    }
    settings.EMAIL_BACKEND = f"{__name__}.TwoSecondsAMessage"
    TwoSecondsAMessage.sent = []
    return settings
