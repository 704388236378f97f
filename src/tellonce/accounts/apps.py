from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tellonce.accounts"
    label = "accounts"
    verbose_name = "Practitioners and system accounts"

    def ready(self) -> None:
        from tellonce.accounts import signals  # noqa: F401
