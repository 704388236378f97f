"""API routes of tellonce.earlyhelp (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.earlyhelp.api import views

urlpatterns = [
    path(
        "people/<uuid:person_id>/early-help/",
        views.EpisodeRequestView.as_view(),
        name="person-early-help",
    ),
    path("early-help/", views.EpisodeListView.as_view(), name="early-help-episodes"),
    path(
        "early-help/<int:episode_id>/",
        views.EpisodeView.as_view(),
        name="early-help-episode",
    ),
    path(
        "early-help/<int:episode_id>/answer/",
        views.LeadAnswerView.as_view(),
        name="early-help-answer",
    ),
    path(
        "early-help/<int:episode_id>/lead/",
        views.LeadOfferView.as_view(),
        name="early-help-lead",
    ),
]
