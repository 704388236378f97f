from django.urls import path

from tellonce.earlyhelp import views

app_name = "earlyhelp"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("people/<uuid:person_id>/new/", views.request_new, name="request"),
    path("<int:episode_id>/", views.episode, name="episode"),
    path("<int:episode_id>/answer/", views.answer, name="answer"),
    path("<int:episode_id>/lead/", views.offer, name="offer"),
    path("<int:episode_id>/close/", views.close, name="close"),
]
