"""The web server's access log, with every control character escaped: a request for a
path with `%0a` in it cannot write a forged line into the log (`tellonce serve` runs
gunicorn with this logger)."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escaped(value: Any) -> Any:
    """A log atom with control characters written as \\xNN."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


class SafeLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        return {k: escaped(v) for k, v in super().atoms(resp, req, environ, request_time).items()}
