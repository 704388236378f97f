"""`tellonce import --agency CODE FILE [--mapping MAPPING.yaml]`: import an agency
system's feed.

The mapping, unless given, is the YAML file beside the feed with the same name
(`gp-feed.csv` -> `gp-feed.yaml`, or `.yml`), else the agency's own mapping in the
mappings directory: `FEED_MAPPINGS_DIR` (environment variable), by default
`VAR_DIR/mappings`, as `CODE.yaml`.

Output is counts and each bad row's number, field and reason: never a name, date of
birth or identifier. The progress bar goes to stderr, when it is a terminal or with
`--progress`.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from tellonce.audit.services import COMMAND_LINE
from tellonce.feeds.mapping import ColumnMapping, MappingError
from tellonce.feeds.services import (
    FeedRefusedError,
    FeedStoppedError,
    RowProblem,
    command_line_operator,
    feed_import,
)
from tellonce.organisations.models import Agency

#: Bad rows printed in full; the rest are counted, and all are kept with the import.
PRINTED_PROBLEMS = 200


def mappings_dir() -> Path:
    return Path(settings.FEED_MAPPINGS_DIR)


def mapping_candidates(feed: Path, agency: Agency) -> list[Path]:
    """Where a feed's mapping is looked for when --mapping is not given, in order."""
    return [
        feed.with_suffix(".yaml"),
        feed.with_suffix(".yml"),
        mappings_dir() / f"{agency.code}.yaml",
    ]


class Command(BaseCommand):
    help = (
        "Import an agency system's feed (CSV, JSON or JSON Lines) with its column mapping:"
        " good rows land, bad rows are reported by row, field and reason and skipped."
    )

    def add_arguments(self, parser: CommandParser | ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="The feed file.")
        parser.add_argument(
            "--agency", help="The agency's code (see --list-agencies); the mapping must agree."
        )
        parser.add_argument(
            "--mapping",
            type=Path,
            help="The mapping (YAML). Default: FILE's name with .yaml, beside it.",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show the progress bar even when stderr is not a terminal.",
        )
        parser.add_argument(
            "--list-agencies", action="store_true", help="List the agencies' codes and stop."
        )

    def handle(
        self,
        *args: Any,
        file: Path | None,
        agency: str | None,
        mapping: Path | None,
        progress: bool,
        list_agencies: bool,
        **options: Any,
    ) -> None:
        if list_agencies:
            for code, name in Agency.objects.order_by("code").values_list("code", "name"):
                self.stdout.write(f"{code:<12} {name}")
            return
        if not agency or file is None:
            raise CommandError("Give the agency's code and the file: import --agency CODE FILE")
        # Strings when called from code rather than the command line.
        file = Path(file)
        mapping = Path(mapping) if mapping is not None else None
        found = Agency.objects.filter(code__iexact=agency.strip()).first()
        if found is None:
            raise CommandError(
                f"No agency has the code {agency!r}. List the codes with"
                " `tellonce import --list-agencies` (or see Agencies in the admin)."
            )
        if not file.is_file():
            raise CommandError(f"There is no file {file}")
        column_mapping = self._mapping(file, found, mapping)

        show_bar = progress or self.stderr.isatty()
        bar = tqdm(
            total=_rows_estimate(file),
            unit=" rows",
            file=self.stderr._out,
            disable=not show_bar,
            dynamic_ncols=True,
        )
        shown = 0

        def problem(p: RowProblem) -> None:
            nonlocal shown
            shown += 1
            if shown <= PRINTED_PROBLEMS:
                line = f"Row {p.row_number}: {p.field + ': ' if p.field else ''}{p.reason}"
                if show_bar:
                    tqdm.write(line, file=self.stdout._out)
                else:
                    self.stdout.write(line)

        try:
            feed = feed_import(
                agency=found,
                path=file,
                mapping=column_mapping,
                via=COMMAND_LINE,
                actor_label=command_line_operator(),
                on_rows=bar.update,
                on_problem=problem,
            )
        except FeedRefusedError as exc:
            raise CommandError(f"{str(exc).rstrip('.')}. Nothing was written.") from exc
        except FeedStoppedError as exc:
            raise CommandError(
                f"{exc}. The batches written so far are kept; run the same import again to"
                " finish it."
            ) from exc
        except DatabaseError as exc:
            raise CommandError(
                "The import stopped part way on a database error (is another import of this"
                " agency running?). The batches written so far are kept, and the import is"
                " marked stopped part way; run the same import again to finish it."
            ) from exc
        finally:
            bar.close()
        if shown > PRINTED_PROBLEMS:
            self.stdout.write(
                f"...and {shown - PRINTED_PROBLEMS:,} more problems, all kept with import"
                f" {feed.pk} (in the admin: Agency feeds, Feed imports)."
            )
        seconds = (feed.finished_on - feed.started_on).total_seconds() if feed.finished_on else 0
        self.stdout.write(
            f"Import {feed.pk} of {file.name} ({found.code}, {feed.system}): read"
            f" {feed.rows_read:,} rows: {feed.rows_new:,} new, {feed.rows_updated:,} updated,"
            f" {feed.rows_unchanged:,} unchanged, {feed.rows_skipped:,} skipped"
            f" ({seconds:.1f} s)."
        )

    def _mapping(self, file: Path, agency: Agency, given: Path | None) -> ColumnMapping:
        if given is None:
            candidates = mapping_candidates(file, agency)
            given = next((c for c in candidates if c.is_file()), None)
            if given is None:
                looked = ", ".join(str(c) for c in candidates)
                raise CommandError(
                    f"No mapping for {file.name}: looked for {looked}. Give one with --mapping."
                )
        try:
            return ColumnMapping.load(given)
        except MappingError as exc:
            raise CommandError(str(exc)) from exc


def _rows_estimate(path: Path) -> int | None:
    """Lines in a CSV (less its header) or JSON Lines file, for the bar; a JSON list
    has no cheap count."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson"):
        return None
    lines = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0) if suffix == ".csv" else lines
