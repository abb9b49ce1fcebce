from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Citizen pages: home, report form, confirmation, tracking, public feed, optional account."""

    name = "lapor.portal"
    label = "portal"
