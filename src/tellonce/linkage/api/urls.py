"""API routes of tellonce.linkage (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.linkage.api import views

urlpatterns = [
    path("people/match/", views.PersonMatchView.as_view(), name="person-match"),
    path("linkage/review/", views.ReviewQueueView.as_view(), name="linkage-review"),
    path(
        "linkage/review/<int:pair_id>/decision/",
        views.ReviewDecisionView.as_view(),
        name="linkage-review-decision",
    ),
    path(
        "linkage/merges/<int:event_id>/undo/", views.UnmergeView.as_view(), name="linkage-unmerge"
    ),
    path("records/", views.AgencyRecordReceiveView.as_view(), name="records"),
]
