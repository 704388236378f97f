"""Signing in: who needs a second factor, and setting one up (TOTP, django-otp) only
through a one-time invitation an administrator gives (`enrolment_invite`): whoever has
a worker's password cannot enrol their own authenticator."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tellonce.accounts.models import EnrolmentInvitation, User
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via


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


def _hashed(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def enrolment_invite(*, by: User | None, user: User, via: Via) -> str:
    """A one-time invitation for `user` to set up two-factor sign-in, valid for
    `ENROLMENT_INVITATION_HOURS`: the link's token, shown once and kept only as a hash.
    An administrator invites others (never themself); `by` None is the server's command
    line. Any earlier authenticator of the user's is removed: a new one replaces it."""
    if by is not None and (by.pk == user.pk or not by.is_staff):
        raise PermissionDenied("An administrator invites others to set up two-factor")
    if user.is_system_account:
        raise PermissionDenied("System accounts sign in with a token, not two-factor")
    token = secrets.token_urlsafe(32)
    EnrolmentInvitation.objects.create(
        user=user,
        token_hash=_hashed(token),
        created_by=by,
        expires_on=timezone.now() + timedelta(hours=settings.ENROLMENT_INVITATION_HOURS),
    )
    TOTPDevice.objects.filter(user=user).delete()
    audit_via(
        via,
        user=by,
        action=Action.ADMIN,
        obj=user,
        detail={"change": "invited to set up two-factor", "user": user.get_username()},
    )
    return token


def enrolment_invitation_for(user: User, token: str) -> EnrolmentInvitation | None:
    """The user's invitation with this token, unused and in time, or None."""
    return EnrolmentInvitation.objects.filter(
        user=user,
        token_hash=_hashed(token or ""),
        used_on__isnull=True,
        expires_on__gt=timezone.now(),
    ).first()


def enrolment_invitation_open(user: User, invitation_id: int | None) -> EnrolmentInvitation | None:
    if invitation_id is None:
        return None
    return EnrolmentInvitation.objects.filter(
        pk=invitation_id, user=user, used_on__isnull=True, expires_on__gt=timezone.now()
    ).first()


def enrolment_invitation_use(invitation: EnrolmentInvitation) -> bool:
    """Spend the invitation, once (claimed atomically)."""
    return bool(
        EnrolmentInvitation.objects.filter(pk=invitation.pk, used_on__isnull=True).update(
            used_on=timezone.now()
        )
    )


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
    ("accounts", "enrolmentinvitation"),
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
