from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "lapor.attachments"
    label = "attachments"
    verbose_name = "Lampiran"
