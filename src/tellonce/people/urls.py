from django.urls import path

from tellonce.people import views

app_name = "people"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("<uuid:person_id>/", views.record, name="record"),
    path("<uuid:person_id>/flag/", views.flag, name="flag"),
    path("<uuid:person_id>/break-glass/", views.break_glass, name="break-glass"),
    path("<uuid:person_id>/access-log/", views.access_log, name="access-log"),
    path("<uuid:person_id>/identifiers/add/", views.identifier_add, name="identifier-add"),
    path(
        "<uuid:person_id>/identifiers/<int:identifier_id>/archive/",
        views.identifier_archive,
        name="identifier-archive",
    ),
]
