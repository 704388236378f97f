"""Email backends for tests: one whose mail server refuses every connection, and one
that takes a long time to hand a message over (so a test can kill the worker while it
sends)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.message import EmailMessage


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError("the mail server is not answering")


class SlowFileBackend(FileBackend):
    """Writes each message to a file, after a pause (TELLONCE_TEST_EMAIL_PAUSE seconds)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        time.sleep(float(os.environ.get("TELLONCE_TEST_EMAIL_PAUSE", "0")))
        return super().send_messages(email_messages)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
