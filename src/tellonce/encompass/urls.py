from django.urls import path

from tellonce.encompass import views

app_name = "encompass"
urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("incidents/new/", views.incident_new, name="incident-new"),
    path("incidents/<int:incident_id>/", views.incident, name="incident"),
    path(
        "incidents/<int:incident_id>/withdraw/", views.incident_withdraw, name="incident-withdraw"
    ),
    path("notifications/<int:notification_id>/", views.notification, name="notification"),
    path(
        "notifications/<int:notification_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/<int:school_id>/sign-up/", views.sign_up, name="sign-up"),
    path("figures/", views.figures, name="figures"),
]
