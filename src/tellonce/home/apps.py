from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "tellonce.home"
    label = "home"
    verbose_name = "TellOnce: my work"
