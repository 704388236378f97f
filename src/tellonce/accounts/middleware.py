"""Two-factor authentication is required for every account (except demo accounts in
the demo): a signed-in user who has not yet given a code may reach only the two-factor
pages and sign out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from tellonce.accounts.services import totp_device_confirmed, user_needs_second_factor

_OPEN_PREFIXES = ("/static/", "/sign-in", "/sign-out")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and user_needs_second_factor(user)  # type: ignore[arg-type]
            and not user.is_verified()  # type: ignore[union-attr]
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"errors": [{"field": None, "message": "Finish two-factor sign-in first"}]},
                    status=403,
                )
            if totp_device_confirmed(user):  # type: ignore[arg-type]
                return redirect(f"{reverse('accounts:two-factor')}?next={request.path}")
            return redirect(reverse("accounts:two-factor-set-up"))
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """A session ends `SESSION_ABSOLUTE_HOURS` after sign-in, however active it has
    been: a shared or stolen session does not live for ever. It ends sooner after
    `SESSION_COOKIE_AGE` idle: activity pushes its expiry forward, written at most once
    every `SESSION_REFRESH_SECONDS` (not on every page: a write and a disk flush each)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            started = request.session.get("signed_in_at")
            limit = timedelta(hours=settings.SESSION_ABSOLUTE_HOURS)
            if started is None or timezone.now() - datetime.fromisoformat(started) > limit:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"errors": [{"field": None, "message": "Your session has ended"}]},
                        status=401,
                    )
                return redirect(f"{reverse('accounts:sign-in')}?next={request.path}")
            now = timezone.now()
            active = request.session.get("active_at")
            refresh = timedelta(seconds=settings.SESSION_REFRESH_SECONDS)
            if active is None or now - datetime.fromisoformat(active) >= refresh:
                request.session["active_at"] = now.isoformat()  # saved with a new expiry
        return self.get_response(request)
