"""API routes of tellonce.access (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.access.api import views

urlpatterns = [
    path(
        "people/<uuid:person_id>/break-glass/",
        views.BreakGlassView.as_view(),
        name="person-break-glass",
    ),
    path(
        "people/<uuid:person_id>/access-log/",
        views.AccessLogView.as_view(),
        name="person-access-log",
    ),
]
