"""Reading settings from the environment: every bad value fails loudly, naming itself.

Secrets may come from `NAME_FILE` (a path) instead of `NAME`, as container platforms
mount them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """The value of `name`, or of the file named by `name_FILE`, or `default`."""
    value = os.environ.get(name)
    if value is not None:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE: cannot read {path!r}: {exc.strerror}"
            ) from exc
    return default


def env_required(name: str, why: str) -> str:
    value = env_str(name)
    if value is None or not value.strip():
        raise ImproperlyConfigured(f"{name} must be set {why}.")
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = env_str(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: Sequence[str] = ()) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: Sequence[str], default: str) -> str:
    value = (env_str(name) or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def env_hours_by_rag(name: str, default: str) -> dict[str, float]:
    """Working hours by red/amber/green rating, written "red=4,amber=8,green=24"."""
    raw = env_str(name) or default
    hours: dict[str, float] = {}
    for part in raw.split(","):
        rag, _, value = part.partition("=")
        rag = rag.strip().lower()
        try:
            number = float(value)
        except ValueError:
            number = -1
        if rag not in ("red", "amber", "green") or number <= 0:
            raise ImproperlyConfigured(
                f'{name} must be like "red=4,amber=8,green=24" (working hours above 0):'
                f" {part.strip()!r} is not"
            )
        hours[rag] = number
    missing = {"red", "amber", "green"} - set(hours)
    if missing:
        raise ImproperlyConfigured(f"{name} must give hours for {', '.join(sorted(missing))}")
    return hours


def env_clock_time(name: str, default: str) -> time:
    """A time of day written "HH:MM" (24-hour clock)."""
    raw = (env_str(name) or default).strip()
    try:
        return datetime.strptime(raw, "%H:%M").time()
    except ValueError:
        raise ImproperlyConfigured(
            f'{name} must be a time of day like "08:30" (24-hour clock), not {raw!r}'
        ) from None


def env_rate(name: str, default: str) -> str:
    """A rate limit written "N/unit": 30/m is thirty a minute (s, m, h or d)."""
    raw = (env_str(name) or default).strip()
    count, _, unit = raw.partition("/")
    if not count.isdigit() or int(count) < 1 or unit not in ("s", "m", "h", "d"):
        raise ImproperlyConfigured(
            f'{name} must be a rate like "30/m" (a number, then /s, /m, /h or /d), not {raw!r}'
        )
    return raw
