from django.apps import AppConfig


class SopdocConfig(AppConfig):
    name = "lapor.sopdoc"
    label = "sopdoc"
    default_auto_field = "django.db.models.BigAutoField"
