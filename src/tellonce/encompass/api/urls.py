"""API routes of tellonce.encompass (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.encompass.api import views

urlpatterns = [
    path("encompass/incidents/", views.IncidentCreateView.as_view(), name="encompass-incidents"),
    path(
        "encompass/incidents/<int:incident_id>/withdraw/",
        views.WithdrawView.as_view(),
        name="encompass-incident-withdraw",
    ),
    path(
        "encompass/notifications/",
        views.NotificationsView.as_view(),
        name="encompass-notifications",
    ),
    path(
        "encompass/notifications/<int:notification_id>/",
        views.NotificationView.as_view(),
        name="encompass-notification",
    ),
    path(
        "encompass/notifications/<int:notification_id>/acknowledge/",
        views.AcknowledgeView.as_view(),
        name="encompass-acknowledge",
    ),
    path("encompass/coverage/", views.CoverageView.as_view(), name="encompass-coverage"),
    path("encompass/figures/", views.FiguresView.as_view(), name="encompass-figures"),
]
