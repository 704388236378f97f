"""The code's shape holds: no module uses another module's private names (`_x`), so
what a module keeps to itself can change without breaking another app. (The apps'
layers are import-linter contracts, run by `make lint`.)"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # src/tellonce


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    here = _module_name(path)
    modules: dict[str, str] = {}  # a local name bound to another tellonce module
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tellonce"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno} imports {full}")
                elif _is_module(full) and full != here:
                    modules[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tellonce") and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{path.name}:{node.lineno} uses {modules[node.value.id]}.{node.attr}")
    return found


def test_no_module_uses_a_private_name_of_another():
    modules = [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]
    assert len(modules) > 200
    found = [use for path in modules for use in _private_uses(path)]
    assert found == []


def test_pages_and_the_api_find_records_only_through_an_access_helper():
    # Each object type has one `<thing>_get_for_user` in its app's selectors, which both
    # the page and the API call: a view that fetched a model itself could skip it.
    views = [p for p in ROOT.rglob("*.py") if p.name == "views.py" and "tests" not in p.parts]
    assert len(views) > 15
    fetching = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in views
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if "get_object_or_404" in line or ".objects." in line
    ]
    assert fetching == []
