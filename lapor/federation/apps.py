from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "lapor.federation"
    label = "federation"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Federation (national and regional instances)"

    def ready(self) -> None:
        # The replication hooks the report services call (lapor.reports.replication): a
        # registry, so the report tier never imports this app (docs/federation.md).
        from lapor.federation import hooks, transport  # noqa: PLC0415  (apps not ready at import)

        hooks.connect()
        # The outbox's sender of channel "federation" (pushes a link's journal).
        transport.sender_register()
