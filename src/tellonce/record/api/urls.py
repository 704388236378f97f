"""API routes of tellonce.record (included by tellonce.api.urls, in its namespace)."""

from django.urls import path

from tellonce.record.api import views

urlpatterns = [
    path("people/search/", views.PersonSearchView.as_view(), name="person-search"),
    path("people/<uuid:person_id>/", views.PersonRecordView.as_view(), name="person-record"),
    path("people/<uuid:person_id>/flag/", views.PersonFlagView.as_view(), name="person-flag"),
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
        "involvements/<int:involvement_id>/end/",
        views.InvolvementEndView.as_view(),
        name="involvement-end",
    ),
    path(
        "involvements/to-confirm/",
        views.InvolvementsToConfirmView.as_view(),
        name="involvements-to-confirm",
    ),
    path(
        "involvements/<int:involvement_id>/confirm/",
        views.InvolvementConfirmView.as_view(),
        name="involvement-confirm",
    ),
]
