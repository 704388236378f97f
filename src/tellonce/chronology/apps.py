from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "tellonce.chronology"
    label = "chronology"
    verbose_name = "Multi-agency chronology"
