from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tellonce.people"
    label = "people"
    verbose_name = "Children, adults and families"
