"""The involvement register's pages (route names `involvements:...`), under /involvements/."""

from django.urls import path

from tellonce.record import views

app_name = "involvements"
urlpatterns = [
    path("people/<uuid:person_id>/start/", views.involvement_add, name="start"),
    path("<int:involvement_id>/end/", views.involvement_end, name="end"),
    path("to-confirm/", views.involvements_to_confirm, name="to-confirm"),
    path("<int:involvement_id>/confirm/", views.involvement_confirm, name="confirm"),
]
