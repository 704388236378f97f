"""API routes of tellonce.voices (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.voices.api import views

urlpatterns = [
    path("people/<uuid:person_id>/voices/", views.VoicesView.as_view(), name="person-voices"),
]
