"""Rate limits against automation: a search or a match per user (or system account),
breaking the glass per user, signing in per address and across every account. The
rates are settings (`RATE_*`); the counts live in the shared cache (django-ratelimit).

`rate_limit(request, "search")` counts the request and raises `RateLimitedError` past
the limit; the API answers it with a 429 and the one JSON error format
(`tellonce.api.errors`), the pages with a GOV.UK page (`limited_page`, through
`RateLimitMiddleware`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited


class RateLimitedError(Exception):
    """Too many of something, too quickly."""


def _everyone(group: str, request: Any) -> str:
    return "all"


#: What each limit counts, by whom, at which rate (a setting), and what the user is told.
LIMITS: dict[str, tuple[tuple[str | Callable[[str, Any], str], str], ...]] = {
    "search": (("user_or_ip", "RATE_SEARCH"),),
    "match": (("user_or_ip", "RATE_MATCH"),),
    "break_glass": (("user_or_ip", "RATE_BREAK_GLASS"),),
    "sign_in": (("ip", "RATE_SIGN_IN_ADDRESS"), (_everyone, "RATE_SIGN_IN_ALL")),
}
TOLD = {
    "search": "You have searched too often in a short time. Wait a minute, then try again.",
    "match": "Too many matches asked for in a short time. Wait a minute, then try again.",
    "break_glass": (
        "You have broken the glass too often in a short time: ask your manager, or the MASH,"
        " about the child instead."
    ),
    "sign_in": "Too many attempts to sign in from here. Wait a while, then try again.",
}


def rate_limit(request: Any, what: str) -> None:
    """Count this request against each of `what`'s limits; past one, refuse it."""
    for key, setting in LIMITS[what]:
        if is_ratelimited(
            request,
            group=f"tellonce:{what}:{setting}",
            key=key,
            rate=getattr(settings, setting),
            method=is_ratelimited.ALL,
            increment=True,
        ):
            raise RateLimitedError(TOLD[what])


def limited_page(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception else TOLD["search"]
    return render(request, "core/429.html", {"message": message}, status=429)


class RateLimitMiddleware:
    """A page that raised `RateLimitedError` answers with a 429 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimitedError):
            return limited_page(request, exception)
        return None
