from django.apps import AppConfig


class SopdocConfig(AppConfig):
    name = "lapor.sopdoc"
    label = "sopdoc"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lapor.orgs.signals import sop_changed  # noqa: PLC0415  (apps are loading)
        from lapor.sopdoc.services import sop_changed_received  # noqa: PLC0415

        # A new draft after every SOP-relevant write of lapor.orgs, in its transaction
        # (lapor.orgs never imports this app).
        sop_changed.connect(sop_changed_received, dispatch_uid="lapor.sopdoc.draft_refresh")
