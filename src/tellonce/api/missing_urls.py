"""API routes of tellonce.missing (included by tellonce.api.urls)."""

from django.urls import path

from tellonce.api import missing_views

urlpatterns = [
    path(
        "people/<uuid:person_id>/missing-episodes/",
        missing_views.EpisodeCreateView.as_view(),
        name="person-missing-episodes",
    ),
    path("missing-episodes/", missing_views.EpisodeListView.as_view(), name="missing-episodes"),
    path(
        "missing-episodes/<int:episode_id>/",
        missing_views.EpisodeView.as_view(),
        name="missing-episode",
    ),
    path(
        "missing-episodes/<int:episode_id>/acknowledge/",
        missing_views.AcknowledgeView.as_view(),
        name="missing-episode-acknowledge",
    ),
    path(
        "missing-episodes/<int:episode_id>/withdraw/",
        missing_views.WithdrawView.as_view(),
        name="missing-episode-withdraw",
    ),
    path(
        "missing-episodes/<int:episode_id>/return/",
        missing_views.ReturnView.as_view(),
        name="missing-episode-return",
    ),
    path(
        "return-interviews/<int:interview_id>/",
        missing_views.InterviewRecordView.as_view(),
        name="return-interview",
    ),
    path("missing/figures/", missing_views.FiguresView.as_view(), name="missing-figures"),
    path(
        "missing-flags/<int:flag_id>/review/",
        missing_views.FlagReviewView.as_view(),
        name="missing-flag-review",
    ),
]
