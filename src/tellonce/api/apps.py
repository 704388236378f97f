from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tellonce.api"
    label = "api"
