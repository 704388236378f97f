"""Agency systems are built against the API's paths, operation ids and route names:
whatever moves inside TellOnce, none of them is lost (`operations.txt` lists them as
they were when the domains' APIs moved into their apps; new ones may be added)."""

from __future__ import annotations

from pathlib import Path

from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator

LISTED = Path(__file__).with_name("operations.txt")


def _listed() -> tuple[set[tuple[str, str, str]], dict[str, str]]:
    operations: set[tuple[str, str, str]] = set()
    routes: dict[str, str] = {}
    for line in LISTED.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if parts[0].startswith("api:"):
            routes[parts[0]] = parts[1]
        else:
            method, path, operation_id = parts
            operations.add((method, path, operation_id))
    return operations, routes


def _routes(resolver=None, prefix: str = "", namespace: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if hasattr(pattern, "url_patterns"):
            inner = pattern.namespace or namespace
            found.update(_routes(pattern, prefix + str(pattern.pattern), inner))
        elif pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            found[name] = prefix + str(pattern.pattern)
    return found


def test_every_operation_agency_systems_know_is_still_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    now = {
        (method.upper(), path, operation["operationId"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    operations, _ = _listed()
    assert len(operations) >= 56
    assert sorted(operations - now) == []


def test_every_api_route_name_still_leads_to_the_same_path():
    _, routes = _listed()
    now = _routes()
    assert {name: now.get(name) for name in routes} == routes


def test_the_schema_is_generated_without_a_warning(tmp_path):
    """A warning means the schema says something untrue: two bodies sharing one name
    (then one is shown for both), a field whose type could not be read."""
    from django.core.management import call_command

    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").stat().st_size > 0
