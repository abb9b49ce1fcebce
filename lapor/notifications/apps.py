from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lapor.notifications"
    label = "notifications"

    def ready(self) -> None:
        from lapor.notifications.models import Channel  # noqa: PLC0415  (apps are loading)
        from lapor.notifications.push import WebPushSender  # noqa: PLC0415
        from lapor.notifications.senders import register_sender  # noqa: PLC0415

        # Reachability is not asked for this channel: push_rows writes rows only for the
        # report's subscriptions (lapor.notifications.push).
        register_sender(Channel.WEBPUSH, WebPushSender)
