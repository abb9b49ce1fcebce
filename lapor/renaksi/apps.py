from django.apps import AppConfig


class RenaksiConfig(AppConfig):
    name = "lapor.renaksi"
    label = "renaksi"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Rencana Aksi (Renaksi)"
