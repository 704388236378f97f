from django.apps import AppConfig


class VoicesConfig(AppConfig):
    name = "tellonce.voices"
    label = "voices"
    verbose_name = "Tell it once: the family's account and the child's voice"
