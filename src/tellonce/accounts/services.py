"""Signing in: who needs a second factor, and setting one up (TOTP, django-otp) only
through a one-time invitation an administrator gives (`enrolment_invite`): whoever has
a worker's password cannot enrol their own authenticator."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tellonce.accounts.models import (
    AccountChange,
    AccountChangeKind,
    ApiToken,
    EnrolmentInvitation,
    User,
    UserRole,
)
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.core.hooks import hooks_run
from tellonce.organisations.models import Role, Team


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
    ("accounts", "apitoken"),
    ("accounts", "accountchange"),
    ("otp_totp", "totpdevice"),
    ("accounts", "enrolmentinvitation"),
    # Agency systems' webhooks and their deliveries: read-only in the admin.
    ("alerts", "webhook"),
    ("alerts", "delivery"),
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


# ----- API tokens: shown once, kept as a hash, expiring, revocable


def api_token_issue(*, user: User, by: User | None, via: Via) -> str:
    """A new token for an agency system account, returned once (never kept): any token
    it had is revoked, so issuing is also rotating."""
    if not user.is_system_account:
        raise PermissionDenied("API tokens are issued to agency system accounts only")
    if by is not None and by.pk == user.pk:
        raise PermissionDenied("No account issues its own token")
    now = timezone.now()
    raw = secrets.token_hex(20)
    with transaction.atomic():
        for old in ApiToken.objects.filter(user=user, revoked_on__isnull=True):
            api_token_revoke(token=old, by=by, via=via, why="rotated")
        ApiToken.objects.create(
            user=user,
            key_hash=_hashed(raw),
            prefix=raw[:8],
            created_by=by,
            expires_on=now + timedelta(days=settings.API_TOKEN_DAYS),
        )
        audit_via(
            via,
            user=by,
            action=Action.ADMIN,
            obj=user,
            detail={"change": "API token issued", "account": user.get_username(), "token": raw[:8]},
        )
    return raw


def api_token_revoke(*, token: ApiToken, by: User | None, via: Via, why: str = "revoked") -> None:
    """Revoke a token now, once; audited."""
    if ApiToken.objects.filter(pk=token.pk, revoked_on__isnull=True).update(
        revoked_on=timezone.now(), revoked_by=by
    ):
        audit_via(
            via,
            user=by,
            action=Action.ADMIN,
            obj=token.user,
            detail={
                "change": f"API token {why}",
                "account": token.user.get_username(),
                "token": token.prefix,
            },
        )


def api_token_user(raw: str) -> tuple[User, ApiToken] | None:
    """The system account a token opens, or None: unknown, revoked or expired."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user__team__agency")
        .filter(key_hash=_hashed(raw), revoked_on__isnull=True, expires_on__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_on is None or now - token.last_used_on > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_on=now)
    return token.user, token


# ----- changes that widen an account: two administrators


def _administers(user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_active
        and user.is_staff
        and (user.has_role(Role.ADMINISTRATOR) or user.is_superuser)
    )


def account_change_request(
    *, by: User, user: User, kind: str, value: str, reason: str, via: Via
) -> AccountChange:
    """Ask for a change that widens what `user` may see or do; a second administrator
    approves it (`account_change_decide`). The partnership's administrators are told."""
    if not _administers(by):
        raise PermissionDenied("Administrators ask for changes to accounts")
    problems: dict[str, str] = {}
    if kind not in AccountChangeKind.values:
        problems["kind"] = "Choose the change"
    if kind == AccountChangeKind.ADD_ROLE and value not in Role.values:
        problems["value"] = "Enter a role's code, for example mash_social_worker"
    if kind == AccountChangeKind.SET_TEAM and not (
        value.isdigit() and Team.objects.filter(pk=value).exists()
    ):
        problems["value"] = "Enter the id of a team"
    if len((reason or "").strip()) < 10:
        problems["reason"] = "Say why the account needs this, for the approving administrator"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        change = AccountChange.objects.create(
            user=user, kind=kind, value=value, reason=reason.strip(), requested_by=by
        )
        audit_via(
            via,
            user=by,
            action=Action.ADMIN,
            obj=user,
            detail={"change": "account change asked for", "what": change.described},
        )
        _administrators_told(change, f"{by.get_full_name()} asks: {change.described}.")
    return change


def account_change_decide(*, by: User, change: AccountChange, approve: bool, via: Via) -> None:
    """A second administrator approves (the change is made) or refuses; never the one
    who asked, nor the account's holder. Audited with what was before and after."""
    if not _administers(by):
        raise PermissionDenied("Administrators decide on changes to accounts")
    if by.pk in (change.requested_by_id, change.user_id):
        raise PermissionDenied(
            "A second administrator decides: not the one who asked, nor the account's holder"
        )
    with transaction.atomic():
        if not AccountChange.objects.filter(pk=change.pk, decided_on__isnull=True).update(
            decided_by=by, decided_on=timezone.now(), approved=approve
        ):
            raise ValidationError({"change": "This change has already been decided"})
        change.refresh_from_db()
        before, after = _account_change_apply(change) if approve else ({}, {})
        audit_via(
            via,
            user=by,
            action=Action.ADMIN,
            obj=change.user,
            detail={
                "change": "account change approved" if approve else "account change refused",
                "what": change.described,
                "asked_by": change.requested_by.get_username(),
                "before": before,
                "after": after,
            },
        )
        verdict = "approved and made" if approve else "refused"
        _administrators_told(change, f"{by.get_full_name()} {verdict}: {change.described}.")


def _account_change_apply(change: AccountChange) -> tuple[dict[str, Any], dict[str, Any]]:
    user = change.user
    if change.kind == AccountChangeKind.ADD_ROLE:
        before = {"roles": sorted(user.role_set)}
        UserRole.objects.get_or_create(user=user, role=change.value)
        return before, {"roles": sorted({*before["roles"], change.value})}
    field, value = {
        AccountChangeKind.SET_TEAM: ("team_id", int(change.value or 0)),
        AccountChangeKind.SET_MANAGER: ("is_manager", True),
        AccountChangeKind.SET_STAFF: ("is_staff", True),
        AccountChangeKind.SET_SUPERUSER: ("is_superuser", True),
    }[AccountChangeKind(change.kind)]
    before = {field: getattr(user, field)}
    setattr(user, field, value)
    user.save(update_fields=[field.removesuffix("_id")])
    return before, {field: value}


def _administrators_told(change: AccountChange, what: str) -> None:
    """The partnership's administrators hear of it (`ACCOUNT_CHANGED`: the outbox sits
    above accounts)."""
    hooks_run("ACCOUNT_CHANGED", change, what)
