from django.contrib import admin

from tellonce.organisations.models import Agency, Team


class TeamInline(admin.TabularInline):
    model = Team
    fk_name = "agency"
    fields = ["name", "service", "phone", "email", "mash"]
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "service"]
    list_filter = ["service"]
    search_fields = ["name", "agency__name"]
