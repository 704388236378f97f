from django.apps import AppConfig


class MashConfig(AppConfig):
    name = "tellonce.mash"
    label = "mash"
    verbose_name = "MASH: the front door"
