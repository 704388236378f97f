from django.apps import AppConfig


class InvolvementsConfig(AppConfig):
    name = "tellonce.involvements"
    label = "involvements"
    verbose_name = "Involvements"
