from django.urls import path

from tellonce.voices import views

app_name = "voices"
urlpatterns = [path("<uuid:person_id>/voices/add/", views.voice_add, name="add")]
