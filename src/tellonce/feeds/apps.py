from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "tellonce.feeds"
    label = "feeds"
    verbose_name = "Agency feeds"
