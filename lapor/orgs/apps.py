from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "lapor.orgs"
    label = "orgs"
