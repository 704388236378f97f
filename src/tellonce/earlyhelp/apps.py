from django.apps import AppConfig


class EarlyHelpConfig(AppConfig):
    name = "tellonce.earlyhelp"
    label = "earlyhelp"
    verbose_name = "Early help"
