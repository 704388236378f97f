from django.urls import path

from tellonce.linkage import views

app_name = "linkage"
urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("review/<int:pair_id>/", views.pair, name="pair"),
    path("merges/<int:event_id>/undo/", views.unmerge, name="unmerge"),
]
