"""The API at /api/v1/: the schema, and each domain's own routes (`<app>/api/urls.py`),
all in the one `api:` namespace. Authentication, the error format and the request
helpers every domain shares are beside this file."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView

app_name = "api"
urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("", include("tellonce.record.api.urls")),
    path("", include("tellonce.linkage.api.urls")),
    path("", include("tellonce.access.api.urls")),
    path("", include("tellonce.chronology.api.urls")),
    path("", include("tellonce.voices.api.urls")),
    path("", include("tellonce.organisations.api.urls")),
    path("", include("tellonce.alerts.api.urls")),
    path("", include("tellonce.mash.api.urls")),
    path("", include("tellonce.missing.api.urls")),
    path("", include("tellonce.encompass.api.urls")),
    path("", include("tellonce.earlyhelp.api.urls")),
]
