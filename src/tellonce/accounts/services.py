"""Signing in: who needs a second factor, and setting one up (TOTP, django-otp)."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tellonce.accounts.models import User


def user_needs_second_factor(user: User) -> bool:
    """Every account needs TOTP, except demo accounts where demo accounts are allowed."""
    return not (user.is_demo_account and settings.ALLOW_DEMO_ACCOUNTS)


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_device_for_enrolment(user: User) -> TOTPDevice:
    """The unconfirmed device being set up, created on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_device_confirm(*, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
