from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tellonce.accounts"
    label = "accounts"
    verbose_name = "Practitioners and system accounts"
