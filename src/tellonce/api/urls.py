from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView

from tellonce.api import views

app_name = "api"
urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("people/search/", views.PersonSearchView.as_view(), name="person-search"),
    path("people/match/", views.PersonMatchView.as_view(), name="person-match"),
    path("people/<uuid:person_id>/", views.PersonRecordView.as_view(), name="person-record"),
    path("people/<uuid:person_id>/flag/", views.PersonFlagView.as_view(), name="person-flag"),
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
    path(
        "people/<uuid:person_id>/identifiers/",
        views.IdentifierCreateView.as_view(),
        name="person-identifiers",
    ),
    path(
        "people/<uuid:person_id>/identifiers/<int:identifier_id>/archive/",
        views.IdentifierArchiveView.as_view(),
        name="person-identifier-archive",
    ),
    path(
        "people/<uuid:person_id>/involvements/",
        views.InvolvementStartView.as_view(),
        name="person-involvements",
    ),
    path(
        "people/<uuid:person_id>/chronology/",
        views.ChronologyView.as_view(),
        name="person-chronology",
    ),
    path("people/<uuid:person_id>/voices/", views.VoicesView.as_view(), name="person-voices"),
    path(
        "involvements/<int:involvement_id>/end/",
        views.InvolvementEndView.as_view(),
        name="involvement-end",
    ),
    path("teams/", views.TeamListView.as_view(), name="teams"),
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
    path("alerts/", views.AlertInboxView.as_view(), name="alerts"),
    path("alerts/<int:alert_id>/read/", views.AlertReadView.as_view(), name="alert-read"),
    # Each domain's own routes, under the same namespace.
    path("", include("tellonce.mash.api.urls")),
    path("", include("tellonce.missing.api.urls")),
    path("", include("tellonce.encompass.api.urls")),
]
