"""Administrators manage practitioners and system accounts here. Accounts are closed
(made inactive), never deleted: the audit log refers to them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tellonce.accounts.models import User, UserRole
from tellonce.accounts.services import enrolment_invite
from tellonce.audit.services import via_request


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "team", "is_active", "is_system_account"]
    list_filter = ["is_active", "is_system_account", "is_manager", "team__agency"]
    search_fields = ["username", "first_name", "last_name", "email"]
    inlines = [UserRoleInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (
            "TellOnce",
            {
                "fields": (
                    "team",
                    "job_title",
                    "phone",
                    "is_manager",
                    "is_system_account",
                    "is_demo_account",
                )
            },
        ),
    )

    actions = ["invite_to_two_factor"]

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
