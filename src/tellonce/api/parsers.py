"""The API's JSON parser: the body is checked at the edge, before any view sees it.

A body nested deeper than `API_MAX_DEPTH`, or holding text that is not real Unicode (a
lone surrogate such as `"\\ud800"`) or a NUL character, is refused with a 400 that names
where in the body the problem is; a body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` is a
413 (see `errors.exception_handler`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser


class CheckedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_too_deep()) from None
        problems = body_problems(data)
        if problems:
            raise ValidationError(problems)
        return data


def _too_deep() -> str:
    return f"The body is nested more than {settings.API_MAX_DEPTH} levels deep"


def body_problems(data: Any) -> dict[str, str]:
    """Where the body is too deep or holds text that cannot be stored: {path: problem},
    the path as the error format names fields (`names.0.given_name`)."""
    problems: dict[str, str] = {}
    limit = settings.API_MAX_DEPTH
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                problems[path or "body"] = _too_deep()
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and _bad_text(key):
                    problems[path or "body"] = "A name in the body is not valid text"
                    continue
                stack.append((item, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(value, str):
            problem = _bad_text(value)
            if problem:
                problems[path or "body"] = problem
    return problems


def _bad_text(text: str) -> str:
    if "\x00" in text:
        return "Contains a NUL character, which is not text"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Contains a character that is not valid Unicode (a lone surrogate)"
    return ""
