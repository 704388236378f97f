"""Person IDs stay put across linkage runs unless the evidence changes."""

from __future__ import annotations

from itertools import count

from tellonce.linkage.reconcile import Merge, Split, reconcile


def ids():
    numbers = count(1)
    return lambda: f"new-{next(numbers)}"


def test_a_rerun_with_the_same_clusters_keeps_every_id():
    previous = {"a1": "P", "a2": "P", "b1": "Q"}
    result = reconcile(previous, {"a1": "x", "a2": "x", "b1": "y"}, ids())
    assert result.assignment == previous
    assert result.unchanged


def test_a_new_record_joins_its_person_and_an_unmatched_one_is_a_new_person():
    previous = {"a1": "P"}
    result = reconcile(previous, {"a1": "x", "a2": "x", "c1": "z"}, ids())
    assert result.assignment == {"a1": "P", "a2": "P", "c1": "new-1"}
    assert result.new_persons == {"new-1": "z"}
    assert not result.merges and not result.splits


def test_two_persons_found_to_be_one_are_merged_into_the_larger():
    previous = {"a1": "P", "a2": "P", "b1": "Q"}
    result = reconcile(previous, {"a1": "x", "a2": "x", "b1": "x"}, ids())
    assert set(result.assignment.values()) == {"P"}
    assert result.merges == [Merge(survivor="P", merged="Q", records=("b1",))]


def test_a_person_found_to_be_two_is_split_and_the_larger_part_keeps_the_id():
    previous = {"a1": "P", "a2": "P", "t1": "P"}
    result = reconcile(previous, {"a1": "x", "a2": "x", "t1": "y"}, ids())
    assert result.assignment == {"a1": "P", "a2": "P", "t1": "new-1"}
    assert result.splits == [Split(source="P", to="new-1", records=("t1",), new_person=True)]


def test_records_moving_between_existing_persons_split_one_and_join_the_other():
    previous = {"a1": "P", "a2": "P", "b1": "Q", "b2": "Q"}
    result = reconcile(previous, {"a1": "x", "a2": "y", "b1": "y", "b2": "y"}, ids())
    assert result.assignment == {"a1": "P", "a2": "Q", "b1": "Q", "b2": "Q"}
    assert result.splits == [Split(source="P", to="Q", records=("a2",), new_person=False)]
    assert not result.merges and not result.new_persons


def test_ties_are_broken_the_same_way_every_time():
    previous = {"a1": "P", "b1": "Q"}
    first = reconcile(previous, {"a1": "x", "b1": "x"}, ids())
    second = reconcile(dict(reversed(previous.items())), {"b1": "x", "a1": "x"}, ids())
    assert first.assignment == second.assignment == {"a1": "P", "b1": "P"}
