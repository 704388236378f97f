"""Sign in (password, then a TOTP code), set up two-factor, sign out."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from tellonce.accounts.forms import SignInForm, TokenForm
from tellonce.accounts.models import User
from tellonce.accounts.services import (
    totp_device_confirm,
    totp_device_confirmed,
    totp_device_for_enrolment,
    user_needs_second_factor,
)
from tellonce.core.limits import rate_limit


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home:home")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request))
    if request.method == "POST":
        rate_limit(request, "sign_in")
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user: User = form.get_user()
        login(request, user)
        if not user_needs_second_factor(user):
            return redirect(_safe_next(request))
        next_query = f"?next={_safe_next(request)}"
        if totp_device_confirmed(user):
            return redirect(reverse("accounts:two-factor") + next_query)
        return redirect(reverse("accounts:two-factor-set-up"))
    return render(
        request, "accounts/sign_in.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    device = totp_device_confirmed(user)
    if device is None:
        return redirect("accounts:two-factor-set-up")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            # django-otp slows down guessing: each wrong code doubles the wait.
            form.add_error(
                "token", "Too many wrong codes. Wait a few seconds, then enter the current code"
            )
        elif device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        else:
            form.add_error(
                "token", "The security code is wrong or has expired. Enter the current code"
            )
    return render(
        request, "accounts/two_factor.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_set_up(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if totp_device_confirmed(user):
        return redirect("accounts:two-factor")
    device = totp_device_for_enrolment(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            totp_device_confirm(device=device)
            otp_login(request, device)
            return redirect("home:home")
        form.add_error("token", "The security code does not match. Enter the current code")
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/two_factor_set_up.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=4, title="QR code for your authenticator app"),
            "secret": b32encode(device.bin_key).decode("ascii").rstrip("="),
        },
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponseRedirect:
    logout(request)
    return redirect("accounts:sign-in")
