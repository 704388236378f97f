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


#: What an administrator manages in Django's admin: the partnership's agencies and
#: teams, accounts and their roles, API tokens and authenticator devices. Never people.
ADMINISTERED_MODELS = [
    ("organisations", "agency"),
    ("organisations", "team"),
    ("accounts", "user"),
    ("accounts", "userrole"),
    ("authtoken", "token"),
    ("authtoken", "tokenproxy"),
    ("otp_totp", "totpdevice"),
]


def administrator_grant(*, user: User) -> None:
    """Let `user` manage the partnership's set-up in the admin: add, change and view,
    never delete (records are archived or accounts closed instead)."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    models = Q()
    for app_label, model in ADMINISTERED_MODELS:
        models |= Q(content_type__app_label=app_label, content_type__model=model)
    permissions = Permission.objects.filter(models).exclude(codename__startswith="delete_")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*permissions)
