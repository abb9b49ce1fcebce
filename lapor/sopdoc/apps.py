from django.apps import AppConfig

from lapor.orgs.signals import sop_changed


class SopdocConfig(AppConfig):
    name = "lapor.sopdoc"
    label = "sopdoc"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: services imports models, which Django allows only once the app
        # registry is loaded (this module is imported while it loads).
        from lapor.sopdoc.services import sop_changed_received  # noqa: PLC0415

        # A new draft after every SOP-relevant write of lapor.orgs, in its transaction
        # (lapor.orgs never imports this app).
        sop_changed.connect(sop_changed_received, dispatch_uid="lapor.sopdoc.draft_refresh")
