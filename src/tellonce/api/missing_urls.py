"""API routes of tellonce.missing (included by tellonce.api.urls)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
