from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tellonce.audit.admin import AuditedAdmin
from tellonce.organisations.models import Agency, Team


class TeamInline(admin.TabularInline):
    model = Team
    fk_name = "agency"
    fields = ["name", "service", "phone", "email", "mash"]
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoDeleteAdmin(AuditedAdmin):
    """Agencies and teams are archived, never deleted: records refer to them."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(NoDeleteAdmin):
    list_display = ["name", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(NoDeleteAdmin):
    list_display = ["name", "agency", "service"]
    list_filter = ["service"]
    search_fields = ["name", "agency__name"]
