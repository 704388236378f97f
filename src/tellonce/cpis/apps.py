from django.apps import AppConfig


class CpisConfig(AppConfig):
    name = "tellonce.cpis"
    label = "cpis"
    verbose_name = "TellOnce: CP-IS"
