from django.apps import AppConfig


class EncompassConfig(AppConfig):
    name = "tellonce.encompass"
    label = "encompass"
    verbose_name = "Operation Encompass"
