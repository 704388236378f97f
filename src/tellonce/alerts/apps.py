from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "tellonce.alerts"
    label = "alerts"
    verbose_name = "Alerts"
