"""Placeholder: filled in by the encompass slice."""

from __future__ import annotations

from datetime import datetime


def encompass_clock_tick(now: datetime | None = None) -> dict[str, int]:
    return {}
