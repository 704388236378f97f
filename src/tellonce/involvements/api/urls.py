"""API routes of tellonce.involvements (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.involvements.api import views

urlpatterns = [
    path(
        "people/<uuid:person_id>/involvements/",
        views.InvolvementStartView.as_view(),
        name="person-involvements",
    ),
    path(
        "involvements/<int:involvement_id>/end/",
        views.InvolvementEndView.as_view(),
        name="involvement-end",
    ),
]
