from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "lapor.channels"
    label = "channels"
    verbose_name = "Channels (SMS, WhatsApp, Telegram, X)"

    def ready(self) -> None:
        # Outbound answers leave through the transactional outbox: plug one sender per
        # notification channel in (lapor.notifications.senders.register_sender).
        # The "channel … disabled" lines are written at INFO by `lapor serve` and `lapor worker`
        # when they start, not by every command (here only at DEBUG).
        import logging  # noqa: PLC0415

        from lapor.channels.config import log_disabled  # noqa: PLC0415
        from lapor.channels.outbound import register_senders  # noqa: PLC0415

        register_senders()
        log_disabled(logging.DEBUG)
