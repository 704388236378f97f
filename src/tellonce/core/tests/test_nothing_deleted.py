"""Safeguarding records are never hard-deleted (`tellonce.core.models`): every model of
every TellOnce app refuses `delete()`, on a record and on a queryset, whatever manager
it is reached through. Records that may be withdrawn are archived, with who, when and
why. The only exceptions are technical tables, each named here with its reason."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from tellonce.audit.models import AuditLogIsAppendOnlyError
from tellonce.core.models import RecordCannotBeDeleted
from tellonce.testing.world import World

#: Tables whose guard is elsewhere or that hold no one's record, each with its reason.
DELETABLE: dict[str, str] = {
    "linkage.BlockingKey": "the linkage engine's blocking index, rebuilt on every run",
    "core.TaskWorker": "a task worker process's heartbeat, no one's record: rows a day "
    "stale are forgotten",
    "audit.AuditChainHead": "one row, the audit chain's head: the audit log's own control "
    "(database triggers) keeps it, and no code deletes it",
    "audit.AuditEvent": "append-only by the audit log's own control: `delete()` raises and "
    "database triggers refuse a DELETE of entries",
}

REFUSALS = (RecordCannotBeDeleted, AuditLogIsAppendOnlyError)


def tellonce_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_config.name.startswith("tellonce.")
        and not model._meta.proxy
        and model._meta.managed
    ]


MODELS = tellonce_models()


def test_the_walk_sees_every_domain_app():
    seen = {model._meta.app_label for model in MODELS}
    assert {"people", "involvements", "mash", "missing", "encompass", "alerts"} <= seen
    assert set(DELETABLE) <= {model._meta.label for model in MODELS}


def deletes(model: type[models.Model]) -> list[str]:
    """How a record of this model can be deleted: none, or the ways that got through."""
    holes = []
    record = model._base_manager.first() or model(pk=1)
    try:
        record.delete()
        holes.append("record.delete()")
    except REFUSALS:
        pass
    for manager in model._meta.managers:
        try:
            manager.all().delete()
            holes.append(f"{manager.name}.all().delete()")
        except REFUSALS:
            pass
    return holes


def test_no_record_of_any_domain_app_can_be_deleted(world: World):
    holes = {
        model._meta.label: found
        for model in MODELS
        if model._meta.label not in DELETABLE and (found := deletes(model))
    }
    assert holes == {}


def test_the_walk_finds_a_table_that_can_be_deleted(world: World):
    from tellonce.linkage.models import BlockingKey

    assert deletes(BlockingKey) == ["record.delete()", "objects.all().delete()"]
