"""Claiming a row for a workflow step, so that two people cannot take the same step at
once.

A step (signing off a decision, closing an episode, recording a review decision) reads
a record, checks it may be taken, and changes it. Two people doing it at the same
moment both pass the check; so each step changes its record's state with one
conditional update (`UPDATE ... WHERE pk = ... AND state = <what the check saw>`), at
the start of the step's transaction and before anything else is written. The database
lets exactly one of them change the row; the other changes nothing and is refused with
`AlreadyDone`, saying what happened, and writes nothing else (no involvement, no
chronology entry, no alert). Pages show it in the error summary like any refusal; the
API answers it with a 409.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


class AlreadyDone(ValidationError):
    """Someone else took this step first: the refusal names the field and says what
    happened, so the person can reload and see it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})


def claim(
    model: type[models.Model] | models.QuerySet[Any],
    pk: Any,
    *,
    expected: Mapping[str, Any],
    changes: Mapping[str, Any],
    field: str,
    refused: str,
) -> None:
    """Change the row `pk` by `changes`, only while it still matches `expected` (what
    the step's check saw); refuse with `AlreadyDone(field, refused)` when it no longer
    does. Call it inside the step's transaction, before its other writes: the changed
    row stays locked until the transaction ends."""
    rows = model._default_manager.all() if isinstance(model, type) else model
    if not rows.filter(pk=pk, **expected).update(**changes):
        raise AlreadyDone(field, refused)
