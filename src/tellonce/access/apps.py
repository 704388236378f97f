from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "tellonce.access"
    label = "access"
    verbose_name = "Need-to-know access"
