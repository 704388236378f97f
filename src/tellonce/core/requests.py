"""Who a request acts for, for every page and API view: one way to ask."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tellonce.accounts.models import User


class _Request(Protocol):
    user: Any


def form_data(request: Any) -> Any:
    """What a page's form is bound to: the POST's data, or nothing on a GET (an empty
    POST is still a POST, and shows every problem)."""
    return request.POST if request.method == "POST" else None


def acting_user(request: _Request) -> User:
    """The user a page or API request acts for: a practitioner signed in past two-factor,
    an agency system by its token, or the anonymous user (whom the views refuse)."""
    return request.user  # type: ignore[no-any-return]
