"""API routes of tellonce.missing (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.missing.api import views

urlpatterns = [
    path(
        "people/<uuid:person_id>/missing-episodes/",
        views.EpisodeCreateView.as_view(),
        name="person-missing-episodes",
    ),
    path("missing-episodes/", views.EpisodeListView.as_view(), name="missing-episodes"),
    path(
        "missing-episodes/<int:episode_id>/",
        views.EpisodeView.as_view(),
        name="missing-episode",
    ),
    path(
        "missing-episodes/<int:episode_id>/acknowledge/",
        views.AcknowledgeView.as_view(),
        name="missing-episode-acknowledge",
    ),
    path(
        "missing-episodes/<int:episode_id>/withdraw/",
        views.WithdrawView.as_view(),
        name="missing-episode-withdraw",
    ),
    path(
        "missing-episodes/<int:episode_id>/return/",
        views.ReturnView.as_view(),
        name="missing-episode-return",
    ),
    path(
        "return-interviews/<int:interview_id>/",
        views.InterviewRecordView.as_view(),
        name="return-interview",
    ),
    path("missing/figures/", views.FiguresView.as_view(), name="missing-figures"),
    path(
        "missing-flags/<int:flag_id>/review/",
        views.FlagReviewView.as_view(),
        name="missing-flag-review",
    ),
]
