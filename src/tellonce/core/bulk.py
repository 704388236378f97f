"""Writing many rows at a time, as plain INSERTs: the synthetic borough and agency feeds.

Owns `rows_insert()` and `sequences_reset()`. The generator's rows are tuples in the
column order of `generator.COLUMNS`; every other column gets its default here (the
created and modified stamps, empty archive fields, null foreign keys).

Why not `bulk_create`: on SQLite it builds a model instance per row and compiles an
INSERT per 999 parameters (about 60 rows here), about 170 µs a row; a million rows
would take five minutes. `executemany` of ready tuples costs about 20 µs a row, most
of it SQLite's own index work. The values are still adapted by the backend's own
operations, so SQLite and PostgreSQL both get what the ORM would have given them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models

BATCH_SIZE = 5000
_STAMPED = ("created_on", "modified_on")


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How to turn a Python value into what the database driver expects, or None if
    the driver takes it as it is."""
    ops = connection.ops
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.DateTimeField):
        return _cached(ops.adapt_datetimefield_value)
    if isinstance(target, models.DateField):
        return _cached(ops.adapt_datefield_value)
    if isinstance(target, models.UUIDField) and not connection.features.has_native_uuid_field:
        return lambda value: value.hex if value is not None else None
    return None


def _cached(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # A borough has a few thousand distinct dates and times but a million rows.
    seen: dict[date | datetime | None, Any] = {}

    def adapted(value: date | datetime | None) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = adapt(value)
            return result

    return adapted


def rows_insert(
    label: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    stamp: datetime,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Insert `rows` (tuples of `columns`, by attribute name) into the model `label`."""
    model = apps.get_model(label)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"{label} has no columns {sorted(unknown)}")
    constants: list[tuple[models.Field[Any, Any], Any]] = []
    for f in model._meta.concrete_fields:
        if f.attname in columns or (f.primary_key and isinstance(f, models.AutoField)):
            continue
        if f.attname in _STAMPED:
            value: Any = stamp
        elif f.has_default() or f.null or f.blank:
            value = f.get_default()
        else:
            raise ValueError(f"{label}.{f.attname} needs a value: add it to the generator's rows")
        constants.append((f, f.get_db_prep_save(value, connection)))

    quote = connection.ops.quote_name
    names = [*columns, *(f.attname for f, _ in constants)]
    column_sql = ", ".join(quote(fields[name].column) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({column_sql}) VALUES ({placeholders})"  # noqa: S608 (names from model metadata)
    tail = tuple(value for _, value in constants)
    adapters = [(i, a) for i, name in enumerate(columns) if (a := _adapter(fields[name]))]

    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = []
            for row in rows[start : start + batch_size]:
                values = list(row)
                for i, adapt in adapters:
                    values[i] = adapt(values[i])
                batch.append((*values, *tail))
            cursor.executemany(sql, batch)
    return len(rows)


def sequences_reset(labels: Sequence[str]) -> None:
    """After inserting explicit ids, move PostgreSQL's sequences past them (SQLite's
    AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(
        no_style(), [apps.get_model(label) for label in labels]
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
