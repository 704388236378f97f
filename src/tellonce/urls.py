from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tellonce.home.urls")),
    path("", include("tellonce.accounts.urls")),
    path("people/", include("tellonce.record.urls")),
    path("people/", include("tellonce.access.urls")),
    path("people/", include("tellonce.chronology.urls")),
    path("people/", include("tellonce.voices.urls")),
    path("linkage/", include("tellonce.linkage.urls")),
    path("alerts/", include("tellonce.alerts.urls")),
    path("involvements/", include("tellonce.record.involvement_urls")),
    path("mash/", include("tellonce.mash.urls")),
    path("missing/", include("tellonce.missing.urls")),
    path("encompass/", include("tellonce.encompass.urls")),
    path("early-help/", include("tellonce.earlyhelp.urls")),
    path("api/v1/", include("tellonce.api.urls")),
    path("admin/", admin.site.urls),
]

# Under /api/ every error is the API's JSON, elsewhere Django's pages (tellonce.api.errors).
handler400 = "tellonce.api.errors.handler400"
handler403 = "tellonce.api.errors.handler403"
handler404 = "tellonce.api.errors.handler404"
handler500 = "tellonce.api.errors.handler500"
