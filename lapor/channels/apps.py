import logging

from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "lapor.channels"
    label = "channels"
    verbose_name = "Channels (SMS, WhatsApp, Telegram, X)"

    def ready(self) -> None:
        # Imported here: both modules import models, which Django allows only once the app
        # registry is loaded (this module is imported while it loads).
        from lapor.channels import config, outbound  # noqa: PLC0415

        # Outbound answers leave through the transactional outbox: plug one sender per
        # notification channel in (lapor.notifications.senders.register_sender).
        outbound.register_senders()
        # The "channel … disabled" lines are written at INFO by `lapor serve` and `lapor worker`
        # when they start, not by every command (here only at DEBUG).
        config.log_disabled(logging.DEBUG)
