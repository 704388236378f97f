from django.urls import path

from tellonce.chronology import views

app_name = "chronology"
urlpatterns = [
    path("<uuid:person_id>/chronology/", views.chronology, name="chronology"),
    path("<uuid:person_id>/chronology/add/", views.event_add, name="add"),
]
