"""API routes of tellonce.mash (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.mash.api import views

urlpatterns = [
    path("actions/", views.ActionsMineView.as_view(), name="actions"),
    path("actions/<int:action_id>/done/", views.ActionDoneView.as_view(), name="action-done"),
    # The MASH front door.
    path("contacts/", views.ContactCreateView.as_view(), name="contacts"),
    path(
        "mash/contacts/<int:contact_id>/withdraw/",
        views.ContactWithdrawView.as_view(),
        name="mash-contact-withdraw",
    ),
    path("mash/cases/", views.QueueView.as_view(), name="mash-queue"),
    path("mash/cases/<int:case_id>/", views.CaseView.as_view(), name="mash-case"),
    path(
        "mash/cases/<int:case_id>/screening/",
        views.ScreeningView.as_view(),
        name="mash-case-screening",
    ),
    path(
        "mash/cases/<int:case_id>/requests/",
        views.RequestCreateView.as_view(),
        name="mash-case-requests",
    ),
    path(
        "mash/cases/<int:case_id>/decision/",
        views.DecisionView.as_view(),
        name="mash-case-decision",
    ),
    path(
        "mash/cases/<int:case_id>/sign-off/",
        views.SignOffView.as_view(),
        name="mash-case-sign-off",
    ),
    path(
        "mash/cases/<int:case_id>/actions/",
        views.ActionCreateView.as_view(),
        name="mash-case-actions",
    ),
    path("mash/cases/<int:case_id>/close/", views.CloseView.as_view(), name="mash-case-close"),
    path(
        "mash/cases/<int:case_id>/strategy-discussions/",
        views.StrategyDiscussionPlanView.as_view(),
        name="mash-case-strategy-discussions",
    ),
    path(
        "mash/strategy-discussions/<int:discussion_id>/record/",
        views.StrategyDiscussionRecordView.as_view(),
        name="mash-strategy-discussion-record",
    ),
    path(
        "mash/strategy-discussions/<int:discussion_id>/conference/",
        views.ConferenceHeldView.as_view(),
        name="mash-strategy-discussion-conference",
    ),
    path(
        "mash/rfi-response-times/",
        views.ResponseTimesView.as_view(),
        name="mash-rfi-response-times",
    ),
    path("mash/meetings/", views.MeetingOpenView.as_view(), name="mash-meetings"),
    path(
        "mash/meetings/items/<int:item_id>/minutes/",
        views.MeetingMinutesView.as_view(),
        name="mash-meeting-item-minutes",
    ),
    path(
        "mash/meetings/<int:meeting_id>/close/",
        views.MeetingCloseView.as_view(),
        name="mash-meeting-close",
    ),
    path("requests/", views.RequestInboxView.as_view(), name="requests"),
    path("requests/<int:request_id>/", views.RequestView.as_view(), name="request"),
    path(
        "requests/<int:request_id>/answer/",
        views.RequestAnswerView.as_view(),
        name="request-answer",
    ),
]
