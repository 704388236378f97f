"""Administrators manage practitioners and system accounts here, with separation of
duties: they edit names and contact details and close accounts (made inactive, never
deleted: the audit log refers to them), but nothing that widens what an account may see
or do. A role, a team, manager, admin or superuser status is asked for as an
`AccountChange` and made only when a second administrator approves; tokens and
second-factor secrets are never shown. Every change is audited field by field."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token, TokenProxy

from tellonce.accounts.models import AccountChange, ApiToken, EnrolmentInvitation, User, UserRole
from tellonce.accounts.services import (
    account_change_decide,
    account_change_request,
    api_token_issue,
    api_token_revoke,
    enrolment_invite,
)
from tellonce.audit.admin import AuditedAdmin
from tellonce.audit.services import via_request

#: Fields that widen what an account may see or do: read-only here, changed only by an
#: approved `AccountChange`.
WIDENING = (
    "team",
    "is_manager",
    "is_staff",
    "is_superuser",
    "is_system_account",
    "is_demo_account",
    "groups",
    "user_permissions",
)


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0
    readonly_fields = ["role"]
    verbose_name_plural = "Roles (given by an approved account change)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "team", "is_active", "is_system_account"]
    list_filter = ["is_active", "is_system_account", "is_manager", "team__agency"]
    search_fields = ["username", "first_name", "last_name", "email"]
    inlines = [UserRoleInline]
    readonly_fields = [*WIDENING, "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "job_title", "phone")}),
        ("Open", {"fields": ("is_active",)}),
        (
            "What the account may see and do (changed only by an approved account change)",
            {"fields": WIDENING},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
    )
    actions = ["invite_to_two_factor", "issue_api_token"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Invite to set up two-factor (a one-time link)")
    def invite_to_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            try:
                token = enrolment_invite(by=request.user, user=user, via=via_request(request))  # type: ignore[arg-type]
            except PermissionDenied as exc:
                self.message_user(request, f"{user}: {exc}", level=messages.ERROR)
                continue
            self.message_user(
                request,
                f"Give {user} this link, once only: {settings.SITE_URL}"
                f"/sign-in/set-up-two-factor/?invitation={token}",
                level=messages.WARNING,
            )

    @admin.action(description="Issue a new API token (the old one is revoked)")
    def issue_api_token(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            try:
                raw = api_token_issue(user=user, by=request.user, via=via_request(request))  # type: ignore[arg-type]
            except PermissionDenied as exc:
                self.message_user(request, f"{user}: {exc}", level=messages.ERROR)
                continue
            self.message_user(
                request,
                f"{user}'s new token, shown this once: {raw}",
                level=messages.WARNING,
            )


@admin.register(AccountChange)
class AccountChangeAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "kind",
        "value",
        "requested_by",
        "requested_on",
        "decided_by",
        "approved",
    ]
    list_filter = ["kind", "approved"]
    fields = ["user", "kind", "value", "reason"]
    actions = ["approve", "refuse"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["user", "kind", "value", "reason"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        try:
            made = account_change_request(
                by=request.user,  # type: ignore[arg-type]
                user=obj.user,
                kind=obj.kind,
                value=obj.value or "",
                reason=obj.reason,
                via=via_request(request),
            )
        except (PermissionDenied, ValidationError) as exc:
            raise PermissionDenied(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        obj.pk = made.pk

    def _decide(self, request: HttpRequest, queryset: Any, approve: bool) -> None:
        for change in queryset:
            try:
                account_change_decide(
                    by=request.user,  # type: ignore[arg-type]
                    change=change,
                    approve=approve,
                    via=via_request(request),
                )
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{change}: {exc}", level=messages.ERROR)

    @admin.action(description="Approve (a second administrator)")
    def approve(self, request: HttpRequest, queryset: Any) -> None:
        self._decide(request, queryset, True)

    @admin.action(description="Refuse")
    def refuse(self, request: HttpRequest, queryset: Any) -> None:
        self._decide(request, queryset, False)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens by their first characters only: the token itself is shown once, when made."""

    list_display = ["prefix", "user", "created_on", "expires_on", "revoked_on", "last_used_on"]
    fields = [
        "prefix",
        "user",
        "created_on",
        "created_by",
        "expires_on",
        "revoked_on",
        "revoked_by",
        "last_used_on",
    ]
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None  # the list and its actions, never the edit form

    @admin.action(description="Revoke now")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            api_token_revoke(token=token, by=request.user, via=via_request(request))  # type: ignore[arg-type]


@admin.register(EnrolmentInvitation)
class EnrolmentInvitationAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_by", "created_on", "expires_on", "used_on"]
    fields = ["user", "created_by", "created_on", "expires_on", "used_on"]


# Second-factor secrets and tokens are never shown: django-otp's and DRF's own admin
# pages (which show the key and a QR code, and each token) are replaced.
for model in (TOTPDevice, Token, TokenProxy):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "confirmed"]
    fields = ["user", "name", "confirmed"]
