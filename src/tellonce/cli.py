"""The `tellonce` console command: Django's management commands and the project's own
(`tellonce seed`, `tellonce serve`, `tellonce audit verify`, ...)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tellonce.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["tellonce", *(sys.argv[1:] if argv is None else argv)])
    except ImproperlyConfigured as exc:
        # A bad setting: say which, plainly, and stop.
        sys.stderr.write(f"tellonce: configuration problem: {exc}\n")
        raise SystemExit(78) from exc


if __name__ == "__main__":
    main()
