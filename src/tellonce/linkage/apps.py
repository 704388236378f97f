from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "tellonce.linkage"
    label = "linkage"
    verbose_name = "Record linkage"
