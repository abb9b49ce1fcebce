from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "lapor.privacy"
    label = "privacy"
