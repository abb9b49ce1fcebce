from django.apps import AppConfig


class WebConfig(AppConfig):
    """Shared page chrome for the citizen portal and the staff workspace: the skeleton template,
    CSS, htmx and small scripts (all shipped locally), date/deadline template filters, and the
    language switch."""

    name = "lapor.web"
    label = "web"
