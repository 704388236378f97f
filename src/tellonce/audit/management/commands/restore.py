"""`tellonce restore PATH`: replace the database with a backup from `tellonce backup`,
then check the audit log against the checkpoints outside the database."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tellonce.audit.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore the database from a backup, then verify the audit log."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="A file `tellonce backup` wrote")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            backup_restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored from {path}.")
        call_command("audit", "verify", stdout=self.stdout, stderr=self.stderr)
