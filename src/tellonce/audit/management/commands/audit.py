"""`tellonce audit verify`: walk the audit log's chain and check it against the signed
checkpoints outside the database, reporting each sign of tampering and where.
`tellonce audit checkpoint`: write a checkpoint now.
`tellonce audit grant ROLE [--apply]`: the PostgreSQL grants for the application's role.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tellonce.audit.chain import verify_chain
from tellonce.audit.checkpoints import checkpoint_latest, checkpoint_write, checkpoints_read
from tellonce.audit.grants import grants_for
from tellonce.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit log, write a checkpoint of it, or grant the application's role."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="Check every entry's HMAC, the chain and the checkpoints"
        )
        verify.add_argument(
            "--checkpoints",
            type=Path,
            default=None,
            help="The checkpoint file to check against (AUDIT_CHECKPOINT_FILE if not given),"
            " for example a copy gathered from syslog",
        )
        sub.add_parser("checkpoint", help="Write a signed checkpoint of the chain's head now")
        grant = sub.add_parser(
            "grant", help="Print (or --apply) the PostgreSQL grants for the application's role"
        )
        grant.add_argument("role", help="The role the running application connects as")
        grant.add_argument("--apply", action="store_true", help="Run them (as the owner)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "checkpoint":
            checkpoint = checkpoint_write()
            self.stdout.write(
                f"Checkpoint written: entry {checkpoint.sequence} at {checkpoint.at}."
            )
        elif action == "grant":
            self._grant(options["role"], apply=options["apply"])
        else:
            self._verify(options["checkpoints"])

    def _verify(self, path: Path | None) -> None:
        found = checkpoints_read(path)
        problems = [*found.problems, *(str(p) for p in verify_chain(found.valid))]
        count = AuditEvent.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"The audit log has been tampered with: {len(problems)} problem(s)"
                f" in {count} entries."
            )
        latest = checkpoint_latest(found.valid)
        if latest is not None:
            against = (
                f" and {len(found.valid)} checkpoint(s), the latest at entry"
                f" {latest.sequence} written {latest.at}"
            )
        else:
            against = f"; no checkpoint to check them against in {found.path}"
        self.stdout.write(
            self.style.SUCCESS(f"The audit log is intact: {count} entries verified{against}.")
        )

    def _grant(self, role: str, *, apply: bool) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("role: grants are for PostgreSQL; this database is SQLite.")
        try:
            statements = grants_for(role)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not apply:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Granted {role}: SELECT and INSERT only on the audit log.")
