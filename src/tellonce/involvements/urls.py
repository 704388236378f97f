from django.urls import path

from tellonce.involvements import views

app_name = "involvements"
urlpatterns = [
    path("people/<uuid:person_id>/start/", views.involvement_add, name="start"),
    path("<int:involvement_id>/end/", views.involvement_end, name="end"),
]
