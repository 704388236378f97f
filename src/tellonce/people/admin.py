from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tellonce.audit.admin import AuditedAdmin
from tellonce.people.models import MultiOccupancyAddress


@admin.register(MultiOccupancyAddress)
class MultiOccupancyAddressAdmin(AuditedAdmin):
    """The partnership's list of addresses where people who are not one family live
    (decision 0010): give the UPRN, or the first line key and postcode as
    `people.selectors.address_key` writes them."""

    list_display = ["description", "uprn", "postcode_norm", "line_key"]
    search_fields = ["description", "uprn", "postcode_norm", "line_key"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
