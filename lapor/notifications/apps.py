from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lapor.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Imported here: these modules import models, which Django allows only once the app
        # registry is loaded (this module is imported while it loads).
        from lapor.notifications import models, push, senders  # noqa: PLC0415

        # Reachability is not asked for this channel: push_rows writes rows only for the
        # report's subscriptions (lapor.notifications.push).
        senders.register_sender(models.Channel.WEBPUSH, push.WebPushSender)
