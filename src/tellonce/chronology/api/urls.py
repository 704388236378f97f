"""API routes of tellonce.chronology (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.chronology.api import views

urlpatterns = [
    path(
        "people/<uuid:person_id>/chronology/",
        views.ChronologyView.as_view(),
        name="person-chronology",
    ),
]
