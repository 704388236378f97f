from django.urls import path

from tellonce.access import views

app_name = "access"
urlpatterns = [
    path("<uuid:person_id>/break-glass/", views.break_glass, name="break-glass"),
    path("<uuid:person_id>/access-log/", views.access_log, name="access-log"),
]
