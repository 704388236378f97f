from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView

from tellonce.api import mash_views, views

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
    path("actions/", mash_views.ActionsMineView.as_view(), name="actions"),
    path("actions/<int:action_id>/done/", mash_views.ActionDoneView.as_view(), name="action-done"),
    path("alerts/<int:alert_id>/read/", views.AlertReadView.as_view(), name="alert-read"),
    # The MASH front door.
    path("contacts/", mash_views.ContactCreateView.as_view(), name="contacts"),
    path("mash/cases/", mash_views.QueueView.as_view(), name="mash-queue"),
    path("mash/cases/<int:case_id>/", mash_views.CaseView.as_view(), name="mash-case"),
    path(
        "mash/cases/<int:case_id>/screening/",
        mash_views.ScreeningView.as_view(),
        name="mash-case-screening",
    ),
    path(
        "mash/cases/<int:case_id>/requests/",
        mash_views.RequestCreateView.as_view(),
        name="mash-case-requests",
    ),
    path(
        "mash/cases/<int:case_id>/decision/",
        mash_views.DecisionView.as_view(),
        name="mash-case-decision",
    ),
    path(
        "mash/cases/<int:case_id>/sign-off/",
        mash_views.SignOffView.as_view(),
        name="mash-case-sign-off",
    ),
    path(
        "mash/cases/<int:case_id>/actions/",
        mash_views.ActionCreateView.as_view(),
        name="mash-case-actions",
    ),
    path("mash/cases/<int:case_id>/close/", mash_views.CloseView.as_view(), name="mash-case-close"),
    path(
        "mash/cases/<int:case_id>/strategy-discussions/",
        mash_views.StrategyDiscussionPlanView.as_view(),
        name="mash-case-strategy-discussions",
    ),
    path(
        "mash/strategy-discussions/<int:discussion_id>/record/",
        mash_views.StrategyDiscussionRecordView.as_view(),
        name="mash-strategy-discussion-record",
    ),
    path(
        "mash/strategy-discussions/<int:discussion_id>/conference/",
        mash_views.ConferenceHeldView.as_view(),
        name="mash-strategy-discussion-conference",
    ),
    path(
        "mash/rfi-response-times/",
        mash_views.ResponseTimesView.as_view(),
        name="mash-rfi-response-times",
    ),
    path("mash/meetings/", mash_views.MeetingOpenView.as_view(), name="mash-meetings"),
    path(
        "mash/meetings/items/<int:item_id>/minutes/",
        mash_views.MeetingMinutesView.as_view(),
        name="mash-meeting-item-minutes",
    ),
    path(
        "mash/meetings/<int:meeting_id>/close/",
        mash_views.MeetingCloseView.as_view(),
        name="mash-meeting-close",
    ),
    path("requests/", mash_views.RequestInboxView.as_view(), name="requests"),
    path("requests/<int:request_id>/", mash_views.RequestView.as_view(), name="request"),
    path(
        "requests/<int:request_id>/answer/",
        mash_views.RequestAnswerView.as_view(),
        name="request-answer",
    ),
    # Missing children and Operation Encompass: their own route files.
    path("", include("tellonce.api.missing_urls")),
    path("", include("tellonce.api.encompass_urls")),
]
