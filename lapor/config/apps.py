from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The top tier as an app: the process commands (serve, worker, backup, restore) live in
    ``lapor/config/management``; no models."""

    name = "lapor.config"
    label = "config"
