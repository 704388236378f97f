"""The PostgreSQL privileges of the application's role (`tellonce audit grant ROLE`).

Two roles: the owner, which runs the migrations and so owns every table and trigger,
and the role the running application connects as, which owns nothing. Only an owner
(or a superuser) may drop or disable a trigger, so the application's role cannot take
the audit log's guards away, whatever is done through it. It may:

- on the audit entries (`audit_auditevent`): SELECT and INSERT, nothing else;
- on the chain head (`audit_auditchainhead`): SELECT, INSERT (the first row) and
  UPDATE, which appending needs and the trigger allows only one entry forward;
- on the migrations' record (`django_migrations`): SELECT only;
- on every other table: SELECT, INSERT, UPDATE and DELETE, and its sequences.

The grants start from nothing each time, so run them again after each migration.
"""

from __future__ import annotations

import re

from django.db import connection

APPEND_ONLY = "audit_auditevent"
CHAIN_HEAD = "audit_auditchainhead"
READ_ONLY = "django_migrations"


def grants_for(role: str) -> list[str]:
    """The statements, for the database Django is connected to, to run as its owner."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", role):
        raise ValueError(f"role: {role!r} is not a plain PostgreSQL role name")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    who = f'"{role}"'
    where = f'"{schema}"'
    return [
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {APPEND_ONLY} FROM {who}",
        f"REVOKE DELETE, TRUNCATE, REFERENCES, TRIGGER ON {CHAIN_HEAD} FROM {who}",
        f"REVOKE INSERT, UPDATE, DELETE ON {READ_ONLY} FROM {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
    ]
