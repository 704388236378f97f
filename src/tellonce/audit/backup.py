"""Backing up and restoring the database, so that the audit log still verifies.

A backup first writes a checkpoint of the audit chain (outside the database, see
`checkpoints`), so the copy's chain ends exactly where the latest checkpoint says.
On PostgreSQL it is `pg_dump` in its custom format, restored with `pg_restore`: the
tables, their data and then the audit log's triggers, all as the owner; the
application's grants are not copied (run `tellonce audit grant ROLE --apply` after a
restore). On SQLite it is SQLite's online backup, page by page, triggers and all.

A restore from an older backup lacks every entry written since: `tellonce audit verify`
says so, naming them, against the checkpoints written since. That is the truth about
the log, not a fault to hide.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

from tellonce.audit.checkpoints import Checkpoint, checkpoint_write


class BackupError(Exception):
    pass


def backup_write(path: Path) -> Checkpoint:
    """Write a checkpoint, then copy the whole database to `path`."""
    checkpoint = checkpoint_write()
    if connection.vendor == "postgresql":
        _pg(["pg_dump", "--format=custom", "--file", str(path)])
    else:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    return checkpoint


def backup_restore(path: Path) -> None:
    """Replace the database's contents with the backup at `path`."""
    if not path.is_file():
        raise BackupError(f"path: {path} is not a backup file")
    if connection.vendor == "postgresql":
        _pg(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ]
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()


def _pg(command: list[str]) -> None:
    """Run a PostgreSQL client on Django's database, as Django's user."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]}: not installed (Debian package postgresql-client)")
    db = connection.settings_dict
    env = {
        **os.environ,
        "PGDATABASE": db["NAME"],
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
    }
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
