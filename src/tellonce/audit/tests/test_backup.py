"""A deployment backed up and restored elsewhere keeps an audit log that verifies
against the checkpoints written outside the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

import tellonce
from tellonce.audit.models import Action, AuditEvent, Channel
from tellonce.audit.services import audit_record

pytestmark = pytest.mark.django_db(transaction=True)

SRC = Path(tellonce.__file__).resolve().parents[1]


def _tellonce(args: list[str], database_url: str, checkpoints: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "TELLONCE_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "tellonce.settings",
        "DATABASE_URL": database_url,
        "AUDIT_CHECKPOINT_FILE": str(checkpoints),
    }
    return subprocess.run(
        [sys.executable, "-m", "tellonce.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _looks(world) -> None:
    for _ in range(5):
        audit_record(actor=world.sam, action=Action.VIEW, channel=Channel.WEB, person=world.amir)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is PostgreSQL's")
def test_a_postgresql_backup_restored_into_a_new_database_verifies(world, settings, tmp_path):
    _looks(world)
    backup = tmp_path / "tellonce.dump"
    call_command("backup", str(backup))
    db = connection.settings_dict
    restored = f"{db['NAME']}_restored"
    admin = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        server.execute(f'CREATE DATABASE "{restored}"')
    try:
        url = admin.rsplit("/", 1)[0] + f"/{restored}"
        result = _tellonce(["restore", str(backup)], url, settings.AUDIT_CHECKPOINT_FILE)
        assert result.returncode == 0, result.stderr
        count = AuditEvent.objects.count()
        assert (
            f"The audit log is intact: {count} entries verified and 1 checkpoint(s),"
            f" the latest at entry {count}" in result.stdout
        )
        with psycopg.connect(url) as copy:
            triggers = {
                row[0]
                for row in copy.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            }
        assert {"audit_append_only", "audit_head_forward_only"} <= triggers
    finally:
        with psycopg.connect(admin, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{restored}"')


def test_a_sqlite_backup_is_a_database_that_verifies(world, settings, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's online backup")
    _looks(world)
    backup = tmp_path / "tellonce.sqlite3"
    call_command("backup", str(backup))
    result = _tellonce(["audit", "verify"], f"sqlite:///{backup}", settings.AUDIT_CHECKPOINT_FILE)
    assert result.returncode == 0, result.stderr
    count = AuditEvent.objects.count()
    assert f"intact: {count} entries verified and 1 checkpoint(s)" in result.stdout
    call_command("restore", str(backup))
    assert AuditEvent.objects.count() == count
