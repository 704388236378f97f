"""Agency systems' webhooks and their deliveries in the admin, read-only: where each
sends, whether it is active, and how each delivery went (delivered, waiting with its
next try, or failed, with its attempts and the receiver's last HTTP status). No alert's
words are shown here: only its number. Agency systems register and stop webhooks
through the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tellonce.alerts.models import Channel, Delivery, Webhook
from tellonce.alerts.selectors import delivery_status


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ["pk", "account", "url", "active", "created_on", "deactivated_on"]
    list_filter = ["active"]
    search_fields = ["url", "account__username"]
    fields = ["account", "url", "active", "created_on", "deactivated_on"]
    readonly_fields = ["account", "url", "active", "created_on", "deactivated_on"]


@admin.register(Delivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Only webhook deliveries: inboxes and emails are the workers' business."""

    list_display = [
        "pk",
        "webhook",
        "alert_id",
        "status",
        "attempts",
        "last_status",
        "last_error",
        "claimed_until",
        "sent_on",
        "failed_on",
    ]
    list_filter = ["webhook"]
    fields = [
        "webhook",
        "alert_id",
        "status",
        "attempts",
        "last_status",
        "last_error",
        "claimed_until",
        "sent_on",
        "failed_on",
    ]
    readonly_fields = [
        "webhook",
        "alert_id",
        "status",
        "attempts",
        "last_status",
        "last_error",
        "claimed_until",
        "sent_on",
        "failed_on",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        return super().get_queryset(request).filter(channel=Channel.WEBHOOK)

    @admin.display(description="Status")
    def status(self, delivery: Delivery) -> str:
        return delivery_status(delivery)
