from django.urls import path

from tellonce.mash import views

app_name = "mash"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("contacts/new/", views.contact_new, name="contact-new"),
    path("contacts/<int:contact_id>/sent/", views.contact_sent, name="contact-sent"),
    path("contacts/<int:contact_id>/withdraw/", views.contact_withdraw, name="contact-withdraw"),
    path("cases/<int:case_id>/", views.case, name="case"),
    path("cases/<int:case_id>/screen/", views.case_screen, name="screen"),
    path("cases/<int:case_id>/requests/", views.requests_send, name="requests-send"),
    path("cases/<int:case_id>/decision/", views.decision, name="decision"),
    path("cases/<int:case_id>/sign-off/", views.sign_off, name="sign-off"),
    path("cases/<int:case_id>/actions/", views.action_add, name="action-add"),
    path("cases/<int:case_id>/close/", views.referral_close, name="close"),
    path("cases/<int:case_id>/strategy/", views.strategy_plan, name="strategy-plan"),
    path("strategy/<int:discussion_id>/record/", views.strategy_record, name="strategy-record"),
    path("strategy/<int:discussion_id>/conference/", views.conference_held, name="conference-held"),
    path("actions/", views.actions_mine, name="actions"),
    path("actions/<int:action_id>/done/", views.action_done, name="action-done"),
    path("requests/", views.requests_inbox, name="requests"),
    path("requests/<int:request_id>/", views.request_page, name="request"),
    path("meeting/", views.meeting, name="meeting"),
    path("meeting/items/<int:item_id>/", views.meeting_item, name="meeting-item"),
    path("meeting/<int:meeting_id>/close/", views.meeting_close, name="meeting-close"),
]
