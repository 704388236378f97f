"""A task for the fault tests: it works for a while, then writes down that it is done.
Killed part way, it has written nothing; run again, it writes once."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django_tasks import task


@task()
def slow_work(key: str, seconds: float) -> str:
    time.sleep(seconds)
    with open(Path(settings.VAR_DIR) / "done.log", "a") as done:
        done.write(f"{key}\n")
    return key
