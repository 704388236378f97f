"""Schemathesis against the API's own schema, for each kind of caller: every operation
is called with requests the schema allows and requests it forbids, and

- no answer is a server error;
- every answer's status and body are as the schema says;
- a request the schema allows is not refused with a 400, unless the refusal is one of
  the operation's `x-refused-when` rules (the cross-field rules a schema cannot state);
- a request the schema forbids is refused.

Bounded: derandomized, a few examples per operation and caller, no deadline, so the
whole run takes well under a minute and finds the same things every time."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tellonce.api.formats import FORMATS
from tellonce.conftest import sign_in_fully
from tellonce.people.identifiers import upn_check_letter
from tellonce.testing.world import World

pytestmark = pytest.mark.django_db

#: A CSRF secret of the length Django wants: sent as the cookie and as the header.
CSRF = "a" * 32


def _nhs_number(digits: list[int]) -> str | None:
    check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
    return None if check == 10 else "".join(map(str, digits)) + str(check % 11)


#: Values of each named format that keep the rules a pattern cannot state.
STRATEGIES = {
    "nhs-number": st.lists(st.integers(0, 9), min_size=9, max_size=9).map(_nhs_number).filter(bool),
    "upn": st.from_regex(r"[0-9]{12}", fullmatch=True).map(
        lambda body: upn_check_letter(body) + body
    ),
}
for _name, _format in FORMATS.items():
    schemathesis.openapi.format(
        _name, STRATEGIES.get(_name, st.from_regex(_format.pattern, fullmatch=True))
    )


def valid_requests_accepted(ctx: Any, response: Any, case: Any) -> None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code != 400:
        return
    rules = case.operation.definition.raw.get("x-refused-when", [])
    allowed = {rule["field"] for rule in rules}
    errors = response.json().get("errors", [])
    unnamed = [
        f"{error['field']}: {error['message']}"
        for error in errors
        if re.sub(r"\[\d+\]", "[]", str(error["field"])) not in allowed
    ]
    if unnamed:
        raise AssertionError(
            f"A request valid by the schema was refused: 400 for {unnamed}; the schema"
            " should forbid it, or name the rule in x-refused-when"
        )


def no_undocumented_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """A server error, unless the operation documents that answer (the matching model
    not trained yet is a 503 that says so)."""
    documented = case.operation.definition.raw.get("responses", {})
    if response.status_code != 500 and str(response.status_code) in documented:
        return None
    return not_a_server_error(ctx, response, case)


@dataclass
class Caller:
    """Who calls: headers and cookies to send."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    examples: int = 2
    negative: bool = False


def callers(world: World) -> list[Caller]:
    def session(user: Any, examples: int = 2, negative: bool = False) -> Caller:
        client = sign_in_fully(Client(), user)
        return Caller(
            user.username,
            headers={"X-CSRFToken": CSRF},
            cookies={"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF},
            examples=examples,
            negative=negative,
        )

    return [
        Caller(
            "police system",
            headers={"Authorization": f"Token {world.police_token}"},
            negative=True,
        ),
        Caller(
            "school system",
            headers={"Authorization": f"Token {world.school_token}"},
            examples=1,
        ),
        session(world.sam, negative=True),
        session(world.maria, examples=1),
        Caller("no one", examples=1),
    ]


def real_ids(world: World) -> dict[str, list[Any]]:
    """Path parameters that name real records, so that operations get past their 404."""
    people = [world.jack, world.lily, world.amir, world.ruby]
    return {"person_id": [str(person.pk) for person in people]}


def run(
    operation: Any,
    caller: Caller,
    mode: GenerationMode,
    ids: dict[str, list[Any]],
    examples: int,
    failures: dict[str, str],
) -> None:
    checks: list[Callable[..., Any]] = [
        no_undocumented_server_error,
        status_code_conformance,
        response_schema_conformance,
    ]
    checks.append(
        valid_requests_accepted if mode is GenerationMode.POSITIVE else negative_data_rejection
    )
    path_ids = {
        name: st.sampled_from(values)
        for name, values in ids.items()
        if f"{{{name}}}" in operation.path
    }

    @given(
        case=operation.as_strategy(generation_mode=mode),
        real=st.fixed_dictionaries(path_ids),
        use_real=st.booleans(),
    )
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=["explicit", "generate"],
    )
    def one(case: Any, real: dict[str, Any], use_real: bool) -> None:
        # Half the time a real person, so that the operation gets past its 404.
        if real and case.path_parameters and use_real:
            case.path_parameters.update(real)
        response = case.call(headers=caller.headers, cookies=caller.cookies)
        try:
            case.validate_response(response, checks=checks, headers=caller.headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = f"{operation.label} [{caller.name}, {mode.value}]: {failure.title}"
                failures.setdefault(key, f"{key}\n{str(failure)[:700]}\n{case.as_curl_command()}")

    try:
        one()
    except Unsatisfiable:
        # Nothing in the operation can be made invalid (a GET with no parameters).
        assert mode is GenerationMode.NEGATIVE, operation.label


def test_the_api_answers_as_its_schema_says_for_every_caller(world: World) -> None:
    # As Django's test client does: a request must not close the connection
    # that holds the test's transaction (it would on PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _run_every_operation(world)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run_every_operation(world: World) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    # The edge refuses NUL in any text (tellonce.api.parsers), as the schema's
    # description says: the examples leave it out.
    schema.config.generation.update(allow_x00=False)
    operations = [result.ok() for result in schema.get_all_operations()]

    ids = real_ids(world)
    failures: dict[str, str] = {}
    # CPU time, not wall time: the bound is on the work done, whatever else the machine runs.
    started = time.process_time()
    for caller in callers(world):
        for operation in operations:
            # Refusing what the schema forbids does not depend on who asks: one agency
            # system and one practitioner try it; no one without a token gets far.
            run(operation, caller, GenerationMode.POSITIVE, ids, caller.examples, failures)
            if caller.negative:
                run(operation, caller, GenerationMode.NEGATIVE, ids, 1, failures)
    elapsed = time.process_time() - started
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures.values())
    assert elapsed < 90
