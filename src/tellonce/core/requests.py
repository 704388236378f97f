"""Who a request acts for, for every page and API view: one way to ask."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tellonce.accounts.models import User


class _Request(Protocol):
    user: Any


def acting_user(request: _Request) -> User:
    """The user a page or API request acts for: a practitioner signed in past two-factor,
    an agency system by its token, or the anonymous user (whom the views refuse)."""
    return request.user  # type: ignore[no-any-return]
