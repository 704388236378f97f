"""The import log in the admin, read-only: what each feed import read and which rows it
skipped and why. No one's details are here (problems name the row and field only), so
administrators may see it; the records themselves are not in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tellonce.feeds.models import FeedImport, FeedRowProblem


class ReadOnlyAdmin(admin.ModelAdmin):
    """The log says what happened; nobody edits it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FeedRowProblemInline(admin.TabularInline):
    model = FeedRowProblem
    fields = ["row_number", "field", "reason"]
    readonly_fields = ["row_number", "field", "reason"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeedImport)
class FeedImportAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "agency",
        "system",
        "file_name",
        "status",
        "rows_read",
        "rows_new",
        "rows_updated",
        "rows_unchanged",
        "rows_skipped",
        "started_on",
    ]
    list_filter = ["status", "system"]
    search_fields = ["file_name", "agency__name", "agency__code"]
    date_hierarchy = "started_on"
    inlines = [FeedRowProblemInline]
