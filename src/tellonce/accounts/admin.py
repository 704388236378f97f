"""Administrators manage practitioners and system accounts here. Accounts are closed
(made inactive), never deleted: the audit log refers to them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from tellonce.accounts.models import User, UserRole


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

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
