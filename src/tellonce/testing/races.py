"""Two people at the same workflow step at the same moment (`tellonce.core.claims`).

A `Race` is a step and the world it needs: `prepare` brings the test world (or an
app's story built on it) to the step and returns the record's id; `load` reads that
record; `first` and `second` take the step, each with its own copy, both read before
either acts (so both pass the step's checks, as two people looking at the same page
do); `written` counts what the step wrote (chronology entries, involvements,
transitions), each of which must be exactly one however the race ends.

`one_refused_after_the_other` runs the two in turn (any database); `one_wins_at_once`
runs them in two threads, each with its own database connection, released together by
a barrier (PostgreSQL: SQLite allows one writer and so cannot race).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tellonce.core.claims import AlreadyDone

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Two connections racing need PostgreSQL"
)


@dataclass(frozen=True)
class Race:
    prepare: Callable[[Any], Any]
    load: Callable[[Any], Any]
    first: Callable[[Any, Any], Any]
    second: Callable[[Any, Any], Any]
    written: Callable[[Any], tuple[int, ...]]


def one_refused_after_the_other(world: Any, race: Race) -> AlreadyDone:
    pk = race.prepare(world)
    mine, theirs = race.load(pk), race.load(pk)
    race.first(world, mine)
    with pytest.raises(AlreadyDone) as refused:
        race.second(world, theirs)
    assert all(n == 1 for n in race.written(world)), race.written(world)
    return refused.value


def at_once(*steps: Callable[[], Any]) -> list[Any]:
    """Run each step in its own thread and connection, all released at once; each
    result, or the exception it raised."""
    barrier = threading.Barrier(len(steps))
    results: list[Any] = [None] * len(steps)

    def run(n: int, step: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[n] = step()
        except Exception as exc:  # the test reads what each one met
            results[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, s)) for n, s in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def one_wins_at_once(world: Any, race: Race) -> ValidationError:
    """The loser is refused: with `AlreadyDone` as a rule, or by the step's own check
    where that reads the database and the winner had already finished."""
    pk = race.prepare(world)
    mine, theirs = race.load(pk), race.load(pk)
    results = at_once(lambda: race.first(world, mine), lambda: race.second(world, theirs))
    refused = [r for r in results if isinstance(r, ValidationError)]
    done = [r for r in results if not isinstance(r, BaseException)]
    assert (len(done), len(refused)) == (1, 1), results
    assert all(n == 1 for n in race.written(world)), race.written(world)
    return refused[0]
