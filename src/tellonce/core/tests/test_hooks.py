"""Hooks let an app's moments reach the apps above it (see tellonce.core.hooks): each
listed function must exist, and each is called in order with the same arguments."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils.module_loading import import_string

from tellonce.core.hooks import hooks_run

HOOKS = ["CLOCK_TICKS", "ON_SERVE", "RECORDS_LANDED"]

calls: list[tuple[str, tuple[object, ...]]] = []


def first(*args: object) -> str:
    calls.append(("first", args))
    return "one"


def second(*args: object) -> None:
    calls.append(("second", args))


@pytest.mark.parametrize("name", HOOKS)
def test_every_function_a_hook_lists_exists(name):
    assert getattr(settings, name)
    for path in getattr(settings, name):
        assert callable(import_string(path)), path


@override_settings(
    SOME_HOOK=["tellonce.core.tests.test_hooks.first", "tellonce.core.tests.test_hooks.second"]
)
def test_a_hook_calls_each_listener_in_order_with_the_same_arguments():
    calls.clear()
    said = hooks_run("SOME_HOOK", 7, "feed")
    assert calls == [("first", (7, "feed")), ("second", (7, "feed"))]
    assert said == {
        "tellonce.core.tests.test_hooks.first": "one",
        "tellonce.core.tests.test_hooks.second": None,
    }


@pytest.mark.django_db
def test_serve_books_nothing_where_tasks_run_at_once():
    # Tests run tasks at once: nothing is booked, and nothing is said to the operator.
    said = hooks_run("ON_SERVE")
    assert [s for s in said.values() if isinstance(s, str)] == []
