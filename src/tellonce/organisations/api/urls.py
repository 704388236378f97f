"""API routes of tellonce.organisations (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.organisations.api import views

urlpatterns = [
    path("teams/", views.TeamListView.as_view(), name="teams"),
]
