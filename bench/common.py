"""What every benchmark records beside its figures: the machine and when."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def measured_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def results_write(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def page_reached(url: str, cookie: str, name: str) -> None:
    """Stop the benchmark, saying why, unless the page at `url` answers 200 to the
    session `cookie`: a benchmark of the sign-in redirect measures nothing. The reason
    names the page and the answer, never the path's identifiers."""
    import http.client

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        where = urlsplit(response.getheader("Location") or "").path or "nowhere"
        raise SystemExit(
            f"the {name} page answered {response.status} (to {where}) to the benchmark's"
            " signed-in session, not 200: nothing would be measured"
        )


def timings_present(pages: dict[str, dict[str, float]]) -> None:
    """Stop the benchmark, saying why, if any page was read fewer than twice: figures are
    never written with a page silently missing. (Failed reads are counted in `errors`.)"""
    for name, figures in pages.items():
        if "p95_ms" not in figures:
            raise SystemExit(
                f"the {name} page failed {figures.get('errors', 0)} of"
                f" {figures.get('requests', 0) + figures.get('errors', 0)} reads:"
                " its figures would be false"
            )
