from django.urls import path

from tellonce.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:alert_id>/", views.alert, name="alert"),
]
