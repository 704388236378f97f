"""`tellonce audit verify`: walk the audit log's hash chain and report any tampering."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tellonce.audit.chain import verify_chain
from tellonce.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit log: verify that no entry was edited, removed or inserted."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Recompute every entry's hash and check the chain")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action != "verify":
            raise CommandError(f"Unknown action {action!r}")
        problems = list(verify_chain())
        count = AuditEvent.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(f"entry {problem.seq}: {problem.problem}")
            raise CommandError(
                f"The audit log has been tampered with: {len(problems)} problem(s)"
                f" in {count} entries."
            )
        self.stdout.write(self.style.SUCCESS(f"The audit log is intact: {count} entries verified."))
