from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "tellonce.missing"
    label = "missing"
    verbose_name = "Missing children and return home interviews"
