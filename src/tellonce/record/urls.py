"""The record's pages, under /people/ (route names `people:...`, as practitioners' links
have always had them)."""

from django.urls import path

from tellonce.record import views

app_name = "people"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("<uuid:person_id>/", views.record, name="record"),
    path("<uuid:person_id>/flag/", views.flag, name="flag"),
    path("<uuid:person_id>/identifiers/add/", views.identifier_add, name="identifier-add"),
    path(
        "<uuid:person_id>/identifiers/<int:identifier_id>/archive/",
        views.identifier_archive,
        name="identifier-archive",
    ),
]
