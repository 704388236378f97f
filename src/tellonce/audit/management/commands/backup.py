"""`tellonce backup PATH`: a checkpoint of the audit chain, then a copy of the database
(`pg_dump` in its custom format on PostgreSQL; SQLite's online backup)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tellonce.audit.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Back up the database, after a checkpoint of the audit chain."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="The file to write")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            checkpoint = backup_write(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backed up to {path}; the audit chain's checkpoint: entry {checkpoint.sequence}"
            f" at {checkpoint.at}."
        )
