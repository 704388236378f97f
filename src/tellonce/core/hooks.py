"""Hooks: how an app lets the apps above it act at its moments without importing them,
so that the layers only point down.

A hook is a setting listing functions by dotted path; the app that owns the moment calls
`hooks_run("NAME", ...)`, which calls each function in order, with the same arguments,
and returns what each returned. Every hook is listed in `settings.py` with who listens:

- `CLOCK_TICKS`: each app's deadlines, followed up by the worker's clock.
- `ON_SERVE`: what `tellonce serve` books before it starts the workers.
- `RECORDS_LANDED`: an import's new agency records, to be linked into persons.
- `INVOLVEMENT_CHANGED`: an involvement started or ended, in its own transaction.
- `ACCOUNT_CHANGED`: a change to an account's powers was asked for or decided.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def hooks_run(name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call each function the `name` setting lists; what each returned, by its path."""
    return {path: import_string(path)(*args, **kwargs) for path in getattr(settings, name)}
