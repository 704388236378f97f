"""Sign in (password, then a TOTP code), set up two-factor, sign out."""

from __future__ import annotations

from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from tellonce.accounts.forms import SignInForm, TokenForm
from tellonce.accounts.models import User
from tellonce.accounts.services import (
    enrolment_invitation_for,
    enrolment_invitation_open,
    enrolment_invitation_use,
    totp_device_confirm,
    totp_device_confirmed,
    totp_device_for_enrolment,
    user_needs_second_factor,
)
from tellonce.accounts.signals import sign_in_completed
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
            sign_in_completed(request, user)
            return redirect(_safe_next(request))
        else:
            form.add_error(
                "token", "The security code is wrong or has expired. Enter the current code"
            )
            if _second_factor_failed(request, user):
                return render(request, "accounts/locked_out.html", status=429)
    return render(
        request, "accounts/two_factor.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _second_factor_failed(request: HttpRequest, user: User) -> bool:
    """A wrong code counts as a failed sign-in (audited, and towards the lockout);
    whether the account is now locked, in which case this session ends."""
    credentials = {"username": user.get_username(), "stage": "second factor"}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if AxesProxyHandler.is_locked(request, credentials={"username": user.get_username()}):
        logout(request)
        return True
    return False


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_set_up(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator, only with an administrator's one-time invitation (the
    link's `?invitation=`): the password alone shows no secret."""
    user: User = request.user  # type: ignore[assignment]
    if totp_device_confirmed(user):
        return redirect("accounts:two-factor")
    token = request.GET.get("invitation")
    if token:
        found = enrolment_invitation_for(user, token)
        if found is not None:
            request.session["enrolment_invitation"] = found.pk
        return redirect("accounts:two-factor-set-up")
    invitation = enrolment_invitation_open(user, request.session.get("enrolment_invitation"))
    if invitation is None:
        return render(request, "accounts/two_factor_invitation.html", status=403)
    device = totp_device_for_enrolment(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]) and enrolment_invitation_use(invitation):
            totp_device_confirm(device=device)
            otp_login(request, device)
            request.session.pop("enrolment_invitation", None)
            sign_in_completed(request, user)
            return redirect("home:home")
        form.add_error("token", "The security code does not match. Enter the current code")
        if _second_factor_failed(request, user):
            return render(request, "accounts/locked_out.html", status=429)
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
