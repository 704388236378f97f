from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "tellonce.record"
    label = "record"
    verbose_name = "TellOnce: the person's record"
