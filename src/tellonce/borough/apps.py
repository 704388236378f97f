from django.apps import AppConfig


class BoroughConfig(AppConfig):
    name = "tellonce.borough"
    label = "borough"
