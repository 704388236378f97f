from django.urls import path

from tellonce.missing import views

app_name = "missing"
urlpatterns = [
    path("report/<uuid:person_id>/", views.report, name="report"),
    path("episodes/<int:episode_id>/", views.episode, name="episode"),
    path("episodes/<int:episode_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("episodes/<int:episode_id>/return/", views.record_return, name="return"),
    path("episodes/<int:episode_id>/withdraw/", views.archive, name="archive"),
    path("interviews/", views.worklist, name="worklist"),
    path("interviews/<int:interview_id>/record/", views.interview_record, name="interview"),
    path("interviews/<int:interview_id>/refuse/", views.interview_refuse, name="refuse"),
    path("interviews/<int:interview_id>/assign/", views.interview_assign, name="assign"),
    path("police/", views.police_inbox, name="police"),
    path("flags/<int:flag_id>/review/", views.flag_review, name="flag-review"),
    path("figures/", views.figures, name="figures"),
]
