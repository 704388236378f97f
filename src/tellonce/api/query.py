"""Query parameters read as bodies are: by a serializer that the schema also states, so a
parameter the schema forbids is a 400 naming it, and one it allows is understood.

- A flag is `true` or `false`, nothing else (`?done=1` is refused, not read as true).
- A parameter given twice (`?state=open&state=all`) is refused: which one was meant?"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, serializers
from rest_framework.request import Request

from tellonce.api.requests import valid


class FlagField(serializers.BooleanField):
    """A query flag: `true` or `false` only."""

    default_error_messages = {"invalid": "Must be true or false"}
    TRUE_VALUES = {"true", True}
    FALSE_VALUES = {"false", False}
    NULL_VALUES: set[Any] = set()


def query_of(request: Request, serializer_class: type[serializers.Serializer]) -> Any:
    """The request's query parameters as `serializer_class` reads them, or a 400 naming
    each parameter that is wrong or repeated."""
    repeated = {
        name: ["Give this parameter once"]
        for name, values in request.query_params.lists()
        if len(values) > 1
    }
    if repeated:
        raise exceptions.ValidationError(repeated)
    return valid(serializer_class(data=request.query_params.dict()))
