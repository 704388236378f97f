"""API routes of tellonce.alerts (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.alerts.api import views, webhooks

urlpatterns = [
    path("alerts/", views.AlertInboxView.as_view(), name="alerts"),
    path("alerts/<int:alert_id>/", views.AlertView.as_view(), name="alert"),
    path("alerts/<int:alert_id>/read/", views.AlertReadView.as_view(), name="alert-read"),
    path("webhooks/", webhooks.WebhooksView.as_view(), name="webhooks"),
    path(
        "webhooks/<int:webhook_id>/deactivate/",
        webhooks.WebhookDeactivateView.as_view(),
        name="webhook-deactivate",
    ),
]
