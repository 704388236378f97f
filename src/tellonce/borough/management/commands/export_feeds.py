"""`tellonce export_feeds --out DIR`: each agency system's feed of the synthetic
borough, with its mapping, plus a feed with bad rows; then `sh DIR/import-all.sh`
tries the import as a new user would.

Output is file names and counts, never a person's details (the files themselves hold
them: demo, development and tests only).
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tellonce.audit.services import COMMAND_LINE
from tellonce.borough.feeds import FeedsExportRefusedError, feeds_export
from tellonce.feeds.services import command_line_operator


class Command(BaseCommand):
    help = (
        "Write each agency system's feed of the synthetic borough, in its own layout with"
        " its YAML mapping, and a feed with deliberately bad rows, for trying `tellonce import`."
    )

    def add_arguments(self, parser: CommandParser | ArgumentParser) -> None:
        parser.add_argument(
            "--out", type=Path, required=True, help="The directory to write the feeds to."
        )

    def handle(self, *args: Any, out: Path | str, **options: Any) -> None:
        out = Path(out)  # a str when called from code
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} is a file, not a directory")
        try:
            export = feeds_export(out=out, via=COMMAND_LINE, actor_label=command_line_operator())
        except FeedsExportRefusedError as exc:
            raise CommandError(str(exc)) from exc
        if not export.feeds:
            self.stdout.write("There are no agency records to export: run `tellonce seed` first.")
            return
        rows = sum(f.rows for f in export.feeds)
        systems = sorted({f.system for f in export.feeds})
        self.stdout.write(
            f"Wrote {len(export.feeds):,} feeds ({rows:,} rows) from {len(systems)} systems"
            f" ({', '.join(systems)}) to {out}, each with its mapping (.yaml) beside it."
        )
        if export.bad_feed is not None:
            bad = ", ".join(f"row {b.row_number} ({b.field})" for b in export.bad_rows)
            self.stdout.write(
                f"{export.bad_feed.path.name} has {export.bad_feed.rows} rows; these are bad"
                f" on purpose: {bad}."
            )
        self.stdout.write(
            f"Import them all with: sh {export.script}\n"
            f"or one: tellonce import --agency {export.feeds[0].agency_code}"
            f" {export.feeds[0].path}"
        )
