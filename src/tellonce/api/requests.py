"""What every domain's API shares in reading a request: the body's values or a 400
naming each field as it was sent (`children[0].date_of_birth`, `invitees[2]`), and a
service's problems reported under those same names."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import exceptions, serializers

from tellonce.core.claims import AlreadyDone

_NO_NAMES: Mapping[str, str] = {}


def api_name(field: str, names: Mapping[str, str] = _NO_NAMES) -> str:
    """A service's field as the API names it: `children-0-date_of_birth` is
    `children[0].date_of_birth`, and `names` renames the rest (the MASH's
    `referrer_name` is `referrer.name`)."""
    return re.sub(r"^(\w+)-(\d+)-", r"\1[\2].", names.get(field, field))


@contextmanager
def named_as_sent(names: Mapping[str, str] = _NO_NAMES) -> Iterator[None]:
    """Report a service's problems under the names of the fields in the request body."""
    try:
        yield
    except AlreadyDone as exc:  # still a 409: someone else took the step first
        ((field, messages),) = exc.message_dict.items()
        raise AlreadyDone(api_name(field, names), messages[0]) from exc
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {api_name(field, names): messages for field, messages in exc.message_dict.items()}
        ) from exc


def problems(detail: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """A serializer's errors by the path of the field in the body: `children[0].sex`,
    `invitees[2]` (the API's usual errors do not number the items of a list)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):
                yield from problems(value, f"{path}[{key}]")
            elif key == "non_field_errors":
                yield from problems(value, path)
            else:
                yield from problems(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for n, item in enumerate(detail):
            yield from problems(item, f"{path}[{n}]")
    elif isinstance(detail, list):
        for message in detail:
            yield path, str(message)
    else:
        yield path, str(detail)


def valid(body: serializers.Serializer) -> Any:
    """The body's values, or a 400 that names each field that is wrong as sent."""
    if not body.is_valid():
        named: dict[str, list[str]] = {}
        for path, message in problems(body.errors):
            named.setdefault(path or "non_field_errors", []).append(message)
        raise exceptions.ValidationError(named)
    return body.validated_data
